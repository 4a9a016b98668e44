import Foundation
import ImageCodecs
import Tensors
import Training
import XCTest
import TestSupport

/// How the built tool reads mask values: the encoding (binary 0/255 or class indices) is decided
/// once per dataset, value sets that are no plausible class-index encoding are refused naming the
/// files that hold the odd values, and `preprocess check`, `train` and `evaluate` agree.
final class MaskEncodingToolTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    static let side = 48
    /// The tiniest valid training run (depth 2, 44² patches, one step).
    static let tinyTraining = ["--depth", "2", "--width", "4", "--batch-size", "1", "--threads", "1", "--steps", "1",
                               "--patch-size", "44", "--val-fraction", "0", "--disable", "all"]

    /// A dataset folder with gray 48×48 images; mask `k` holds `masks[k]` (one value per pixel,
    /// a disc of the first value's complement…: left half 0, right half `foreground`, then the edits).
    func makeDataset(_ masks: [String: [UInt8]], prefix: String = "unet-masks") throws -> String {
        let root = try scratchDirectory(prefix, subfolders: ["images", "masks"])
        try write(masks, to: root)
        return root
    }

    func write(_ masks: [String: [UInt8]], to root: String) throws {
        var rng = SeededGenerator(seed: 7)
        for (name, values) in masks {
            let pixels = (0..<values.count).map { _ in UInt8(rng.next() % 256) }
            try Image(width: Self.side, height: Self.side, channels: 1, samples: pixels).write(to: "\(root)/images/\(name).png")
            try Image(width: Self.side, height: Self.side, channels: 1, samples: values).write(to: "\(root)/masks/\(name).png")
        }
    }

    /// Left half `low`, right half `high`.
    static func halves(_ low: UInt8, _ high: UInt8) -> [UInt8] {
        (0..<(side * side)).map { $0 % side < side / 2 ? low : high }
    }

    /// Halves 0/`high` with pixel (x, y) set to `value`.
    static func halves(_ low: UInt8, _ high: UInt8, setting value: UInt8, x: Int, y: Int) -> [UInt8] {
        var m = halves(low, high)
        m[y * side + x] = value
        return m
    }

    func testStray128InBinaryMasksIsRefusedByCheckTrainAndEvaluate() throws {
        let root = try makeDataset(["a": Self.halves(0, 255), "b": Self.halves(0, 255, setting: 128, x: 3, y: 5), "c": Self.halves(0, 255)])
        let stray = root + "/masks/b.png"
        let listing = "128: 1 pixel in 1 mask (\(stray))"

        let check = try ToolRunner.run(["preprocess", "check", "--data", root])
        XCTAssertEqual(check.status, 1, check.output + check.error)
        XCTAssertTrue(check.output.contains("problem   \(root)/masks: mask values 0, 128, 255 are neither binary 0/255 nor class indices 0, 1, 2, … without gaps"),
                      check.output)
        XCTAssertTrue(check.output.contains(listing), check.output)
        // Rows only for the values present, not 256 rows.
        let rows = check.output.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains("%") }
        XCTAssertEqual(rows.map { $0.split(separator: " ").first! }, ["0", "128", "255"], check.output)

        let run = root + "/run"
        let train = try ToolRunner.run(["train", "--data", root, "--out", run] + Self.tinyTraining)
        XCTAssertEqual(train.status, 1, train.output + train.error)
        XCTAssertTrue(train.error.contains(listing), train.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/last.safetensors"))

        // A binary model evaluated on the same data reports the same file.
        let clean = try makeDataset(["a": Self.halves(0, 255), "b": Self.halves(0, 255), "c": Self.halves(255, 0)])
        let trained = try ToolRunner.run(["train", "--data", clean, "--out", clean + "/run"] + Self.tinyTraining)
        XCTAssertEqual(trained.status, 0, trained.error)
        XCTAssertEqual(try Checkpoint.read(from: clean + "/run/last.safetensors").info.configuration.classes, 2)
        let evaluate = try ToolRunner.run(["evaluate", "--model", clean + "/run/last.safetensors", "--data", root, "--threads", "1"])
        XCTAssertEqual(evaluate.status, 1, evaluate.output + evaluate.error)
        XCTAssertTrue(evaluate.error.contains(listing), evaluate.error)
    }

    func testDisplayScaledMasksAreRefused() throws {
        let root = try makeDataset(["a": Self.halves(0, 127), "b": Self.halves(127, 255), "c": Self.halves(0, 255)])
        let check = try ToolRunner.run(["preprocess", "check", "--data", root])
        XCTAssertEqual(check.status, 1, check.output + check.error)
        XCTAssertTrue(check.output.contains("mask values 0, 127, 255 are neither binary 0/255 nor class indices"), check.output)
        // With the class count stated, values must be below it.
        let stated = try ToolRunner.run(["preprocess", "check", "--data", root, "--classes", "3"])
        XCTAssertEqual(stated.status, 1)
        XCTAssertTrue(stated.output.contains("\(root)/masks/b.png: class 127 at pixel (0, 0) is not below the class count 3"), stated.output)
    }

    func testIndexMasksWithGapsNeedTheClassCount() throws {
        let root = try makeDataset(["a": Self.halves(0, 1), "b": Self.halves(0, 3), "c": Self.halves(0, 0)])
        let check = try ToolRunner.run(["preprocess", "check", "--data", root])
        XCTAssertEqual(check.status, 1, check.output)
        XCTAssertTrue(check.output.contains("3: 1152 pixels in 1 mask (\(root)/masks/b.png)"), check.output)
        let stated = try ToolRunner.run(["preprocess", "check", "--data", root, "--classes", "4"])
        XCTAssertEqual(stated.status, 0, stated.output)
        XCTAssertTrue(stated.output.contains("no problems"), stated.output)
    }

    func testValidationFolderIsReadWithTheTrainingEncoding() throws {
        let root = try makeDataset(["a": Self.halves(0, 255), "b": Self.halves(255, 0)])
        let validation = try makeDataset(["v": Self.halves(0, 1)], prefix: "unet-masks-val")
        let train = try ToolRunner.run(["train", "--data", root, "--val-data", validation, "--out", root + "/run"] + Self.tinyTraining)
        XCTAssertEqual(train.status, 1, train.output + train.error)
        XCTAssertTrue(train.error.contains("1: 1152 pixels in 1 mask (\(validation)/masks/v.png)"), train.error)
    }

    func testEmptyDatasetSaysWhereNoPairsWereFound() throws {
        let root = try scratchDirectory("unet-empty", subfolders: ["images", "masks"])
        let expected = "\(root)/images, \(root)/masks: no image/mask pairs found (neither folder holds a .png, .jpg, .jpeg, .tif or .tiff file)"
        let check = try ToolRunner.run(["preprocess", "check", "--data", root])
        XCTAssertEqual(check.status, 1, check.output)
        XCTAssertTrue(check.output.contains("problem   \(expected)"), check.output)
        let train = try ToolRunner.run(["train", "--data", root, "--out", root + "/run"] + Self.tinyTraining)
        XCTAssertEqual(train.status, 1)
        XCTAssertTrue(train.error.contains(expected), train.error)
        XCTAssertFalse(train.error.contains("0 problems"), train.error)

        // An empty --val-data folder, and empty folders given to evaluate.
        let data = try makeDataset(["a": Self.halves(0, 255)])
        let withEmptyValidation = try ToolRunner.run(["train", "--data", data, "--val-data", root, "--out", data + "/run"] + Self.tinyTraining)
        XCTAssertEqual(withEmptyValidation.status, 1)
        XCTAssertTrue(withEmptyValidation.error.contains(expected), withEmptyValidation.error)
        let evaluate = try ToolRunner.run(["evaluate", "--pred", root + "/images", "--masks", root + "/masks"])
        XCTAssertEqual(evaluate.status, 1)
        XCTAssertTrue(evaluate.error.contains("\(root)/masks: no ground-truth masks found (no .png, .jpg, .jpeg, .tif or .tiff file), "
                                              + "and no predictions in \(root)/images"), evaluate.error)
    }

    func testEvaluateNamesTheSideAndTheMissingPrediction() throws {
        let base = try scratchDirectory("unet-eval", subfolders: ["pred", "truth"])
        let (pred, truth) = (base + "/pred", base + "/truth")
        func write(_ folder: String, _ name: String, _ values: [UInt8], width: Int = 4) throws {
            try Image(width: width, height: values.count / width, channels: 1, samples: values).write(to: "\(folder)/\(name).png")
        }
        // Gray 0/255 predictions (`--format gray255`) against 0/1 truth: the same classes.
        try write(pred, "a", [0, 255, 255, 0])
        try write(pred, "c", [0, 0, 0, 0])
        try write(truth, "a", [0, 1, 1, 0])
        try write(truth, "c", [0, 0, 0, 1])
        let scored = try ToolRunner.run(["evaluate", "--pred", pred, "--masks", truth])
        XCTAssertEqual(scored.status, 0, scored.error)
        XCTAssertTrue(scored.output.contains("mean IoU 0.7500"), scored.output)

        try write(truth, "b", [0, 1, 1, 0])
        let missing = try ToolRunner.run(["evaluate", "--pred", pred, "--masks", truth])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.error.contains("no prediction for ground-truth mask \(truth)/b.png (looked for b.* in \(pred))"), missing.error)

        try write(pred, "b", [0, 1, 3, 0])
        let range = try ToolRunner.run(["evaluate", "--pred", pred, "--masks", truth, "--classes", "2"])
        XCTAssertEqual(range.status, 1)
        XCTAssertTrue(range.error.contains("\(pred)/b.png (prediction): class 3 at pixel (2, 0) is not below the class count 2"), range.error)

        try write(pred, "b", [0, 1, 1, 0])
        try write(truth, "b", [0, 2, 2, 0])
        let truthRange = try ToolRunner.run(["evaluate", "--pred", pred, "--masks", truth, "--classes", "2"])
        XCTAssertEqual(truthRange.status, 1)
        XCTAssertTrue(truthRange.error.contains("\(truth)/b.png (ground truth): class 2 at pixel (1, 0) is not below the class count 2"),
                      truthRange.error)

        // A stray value among 0/255 predictions is refused, not scored as 256 classes.
        try write(truth, "b", [0, 1, 1, 0])
        try write(pred, "b", [0, 128, 255, 0])
        let stray = try ToolRunner.run(["evaluate", "--pred", pred, "--masks", truth])
        XCTAssertEqual(stray.status, 1, stray.output)
        XCTAssertTrue(stray.error.contains("\(pred)/b.png (prediction): class 128 at pixel (1, 0) is not below the class count 2"), stray.error)
    }
}
