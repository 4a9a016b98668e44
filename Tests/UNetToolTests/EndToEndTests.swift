import Foundation
import ImageCodecs
import SafeTensors
import Tensors
import XCTest
import TestSupport

/// The built tool on a tiny dataset: train, resume, predict (including a size never seen in
/// training), evaluate; and the files each writes.
final class EndToEndTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func makeDataset() throws -> String {
        let root = scratchPath("unet-e2e")
        for sub in ["images", "masks", "unseen"] {
            try FileManager.default.createDirectory(atPath: root + "/" + sub, withIntermediateDirectories: true)
        }
        var rng = SeededGenerator(seed: 8)
        func write(_ name: String, _ w: Int, _ h: Int, folder: String, mask: Bool) throws {
            var img = [UInt8](repeating: 0, count: w * h), m = img
            let (cx, cy) = (Int(rng.next() % UInt64(w)), Int(rng.next() % UInt64(h)))
            for y in 0..<h { for x in 0..<w {
                let inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < 100
                img[y * w + x] = inside ? 180 : UInt8(40 + rng.next() % 30)
                m[y * w + x] = inside ? 255 : 0
            } }
            try Image(width: w, height: h, channels: 1, samples: img).write(to: "\(root)/\(folder)/\(name).png")
            if mask { try Image(width: w, height: h, channels: 1, samples: m).write(to: "\(root)/masks/\(name).png") }
        }
        for name in ["s 0", "s 1", "s 2", "naïve 日本 3"] { try write(name, 40, 40, folder: "images", mask: true) }   // spaces, non-ASCII
        try write("odd-size", 53, 29, folder: "unseen", mask: false)
        try write("wide", 90, 37, folder: "unseen", mask: false)
        return root
    }

    func testTrainResumePredictEvaluate() throws {
        let root = try makeDataset()
        let run = root + "/run"
        let common = ["--data", root, "--out", run, "--depth", "2", "--width", "8", "--patch-size", "60",
                      "--batch-size", "2", "--threads", "2", "--seed", "1"]
        let train = try ToolRunner.run(["train"] + common + ["--epochs", "2"])
        XCTAssertEqual(train.status, 0, train.error)
        for file in ["last.safetensors", "best.safetensors", "metrics.csv", "curves.png", "options.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/" + file), "missing \(file)")
        }
        let csv = try String(contentsOfFile: run + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 3, "header + 2 epochs")
        XCTAssertEqual(try Image.read(contentsOf: run + "/curves.png").channels, 3)

        // Resume to 3 epochs: one more row, the step count continues.
        let resumed = try ToolRunner.run(["train", "--resume", run + "/last.safetensors", "--epochs", "3"])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        XCTAssertTrue(resumed.output.contains("resuming"), resumed.output)
        XCTAssertEqual(try String(contentsOfFile: run + "/metrics.csv", encoding: .utf8).split(separator: "\n").count, 4)

        // Predict a folder with sizes never seen in training.
        let masks = root + "/pred"
        let predict = try ToolRunner.run(["predict", "--model", run + "/best.safetensors", "--out", masks, "--overlay", root + "/unseen"])
        XCTAssertEqual(predict.status, 0, predict.error)
        for (name, w, h) in [("odd-size", 53, 29), ("wide", 90, 37)] {
            let mask = try Image.read(contentsOf: "\(masks)/\(name).png")
            XCTAssertEqual([mask.width, mask.height], [w, h], "mask size must equal the input's")
            XCTAssertNotNil(mask.palette, "indexed PNG with a palette")
            XCTAssertTrue(mask.intSamples.allSatisfy { $0 == 0 || $0 == 1 }, "values are class indices")
            XCTAssertEqual(try Image.read(contentsOf: "\(masks)/\(name)_overlay.png").width, w)
        }

        // Predict the training images and evaluate against their masks.
        let trainPred = root + "/train-pred"
        XCTAssertEqual(try ToolRunner.run(["predict", "--model", run + "/best.safetensors", "--out", trainPred, root + "/images"]).status, 0)
        XCTAssertEqual(try Image.read(contentsOf: trainPred + "/naïve 日本 3.png").width, 40, "non-ASCII names through prediction")
        let json = root + "/scores.json"
        let evaluate = try ToolRunner.run(["evaluate", "--pred", trainPred, "--masks", root + "/masks", "--json", json])
        XCTAssertEqual(evaluate.status, 0, evaluate.error)
        XCTAssertTrue(evaluate.output.contains("mean IoU"), evaluate.output)
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let matrix = doc["confusion_matrix"] as! [[Int]]
        XCTAssertEqual(matrix.flatMap { $0 }.reduce(0, +), 4 * 40 * 40)
        XCTAssertEqual((doc["per_image"] as! [Any]).count, 4)
        let byModel = try ToolRunner.run(["evaluate", "--model", run + "/best.safetensors", "--data", root])
        XCTAssertEqual(byModel.status, 0, byModel.error)

        let info = try ToolRunner.run(["info", run + "/last.safetensors"])
        XCTAssertEqual(info.status, 0, info.error)
        XCTAssertTrue(info.output.contains("parameters"), info.output)
    }

    func testBadInputsGiveClearErrorsAndNonZeroExit() throws {
        let root = try makeDataset()
        // Impossible options are rejected before any work, saying what would work.
        let tooSmall = try ToolRunner.run(["train", "--data", root, "--patch-size", "20", "--depth", "4"])
        XCTAssertNotEqual(tooSmall.status, 0)
        XCTAssertTrue(tooSmall.error.contains("smallest valid input"), tooSmall.error)
        let zeroBatch = try ToolRunner.run(["train", "--data", root, "--batch-size", "0"])
        XCTAssertNotEqual(zeroBatch.status, 0)
        XCTAssertTrue(zeroBatch.error.contains("batch-size"), zeroBatch.error)
        let negativeLR = try ToolRunner.run(["train", "--data", root, "--lr", "-0.1"])
        XCTAssertNotEqual(negativeLR.status, 0)
        XCTAssertTrue(negativeLR.error.contains("--lr"), negativeLR.error)
        // A checkpoint that is not one.
        let fake = root + "/fake.safetensors"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: fake))
        let predict = try ToolRunner.run(["predict", "--model", fake, "--out", root + "/x", root + "/unseen"])
        XCTAssertNotEqual(predict.status, 0)
        XCTAssertTrue(predict.error.contains(fake), predict.error)
        // A dataset with a missing mask and a JPEG mask: both reported in one run.
        try FileManager.default.removeItem(atPath: root + "/masks/s 1.png")
        try Image(width: 40, height: 40, channels: 1, samples: [UInt8](repeating: 0, count: 1600)).write(to: root + "/masks/s 2.jpg", format: .jpeg)
        try FileManager.default.removeItem(atPath: root + "/masks/s 2.png")
        let bad = try ToolRunner.run(["train", "--data", root, "--epochs", "1"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.error.contains("s 1") && bad.error.contains("s 2.jpg"), bad.error)
    }
}
