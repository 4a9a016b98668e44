import Datasets
import Foundation
import ImageCodecs
import Training
import XCTest
import TestSupport

/// The built tool on TIFF datasets written by tifffile (Tests/Fixtures/tiff-datasets, from
/// Tools/make_tiff_fixtures.py): 8-bit gray in strips, 16-bit gray in tiles, 8-bit planar RGB,
/// with TIFF masks. Each trains, predicts TIFF masks and probabilities, and evaluates.
final class TIFFDatasetTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    static let fixtures: String = {
        let here = URL(fileURLWithPath: #filePath)  // Tests/UNetToolTests/TIFFDatasetTests.swift
        return here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/tiff-datasets").path
    }()

    /// A scratch copy of a fixture dataset, so that nothing is ever written beside the fixtures.
    private func dataset(_ name: String) throws -> String {
        let root = try scratchDirectory("unet-tiff")
        try FileManager.default.copyItem(atPath: Self.fixtures + "/" + name, toPath: root + "/data")
        return root
    }

    private let tiny = ["--depth", "2", "--width", "4", "--patch-size", "60", "--batch-size", "1", "--threads", "1",
                        "--steps", "2", "--val-fraction", "0"]

    /// Trains, predicts `--format tiff --probabilities` and evaluates one dataset; returns the run folder.
    @discardableResult
    private func trainPredictEvaluate(_ name: String, classes: Int, extra: [String] = []) throws -> String {
        let root = try dataset(name)
        let data = root + "/data", run = root + "/run", pred = root + "/pred"
        let train = try ToolRunner.run(["train", "--data", data, "--out", run] + tiny + extra, timeout: 300)
        XCTAssertEqual(train.status, 0, "\(name): \(train.error)")

        let predict = try ToolRunner.run(["predict", "--model", run + "/last.safetensors", "--out", pred, "--format", "tiff",
                                          "--probabilities", "--threads", "1", data + "/images"], timeout: 300)
        XCTAssertEqual(predict.status, 0, "\(name): \(predict.error)")
        XCTAssertTrue(predict.output.contains("wrote 3 mask(s), with probability maps"), predict.output)
        for i in 0..<3 {
            let maskPath = "\(pred)/cell\(i).tif"
            XCTAssertEqual(try ImageInfo.read(contentsOf: maskPath).format, .tiff, name)
            let mask = try Image.read(contentsOf: maskPath)
            XCTAssertEqual([mask.width, mask.height, mask.channels], [40, 40, 1], name)
            XCTAssertEqual(mask.sampleType, .uint8, "\(name): class indices as 8-bit samples")
            XCTAssertNil(mask.palette)
            XCTAssertTrue(mask.intSamples.allSatisfy { (0..<classes).contains($0) }, "\(name): values are class indices")
            // One float probability map per class; they sum to 1 and their argmax is the mask.
            let maps = try (0..<classes).map { c in try Image.read(contentsOf: "\(pred)/cell\(i)_prob_class_\(c).tif") }
            XCTAssertTrue(maps.allSatisfy { $0.sampleType == .float32 && $0.width == 40 && $0.height == 40 }, name)
            let probs = maps.map { $0.float32Samples! }
            for p in stride(from: 0, to: 40 * 40, by: 37) {
                let column = probs.map { $0[p] }
                XCTAssertEqual(column.reduce(0, +), 1, accuracy: 1e-4, "\(name): probabilities at pixel \(p)")
                XCTAssertEqual(column.firstIndex(of: column.max()!), mask.intSamples[p], "\(name): argmax at pixel \(p)")
            }
        }
        // Scores: the TIFF predictions against the TIFF masks, and the model on the dataset.
        let evaluate = try ToolRunner.run(["evaluate", "--pred", pred, "--masks", data + "/masks", "--json", root + "/scores.json"])
        XCTAssertEqual(evaluate.status, 0, "\(name): \(evaluate.error)")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/scores.json"))) as! [String: Any]
        XCTAssertEqual((doc["confusion_matrix"] as! [[Int]]).flatMap { $0 }.reduce(0, +), 3 * 40 * 40, name)
        let byModel = try ToolRunner.run(["evaluate", "--model", run + "/last.safetensors", "--data", data, "--threads", "1"], timeout: 300)
        XCTAssertEqual(byModel.status, 0, "\(name): \(byModel.error)")
        XCTAssertTrue(byModel.output.contains("mean IoU"), byModel.output)
        return run
    }

    func testGray8StripedTIFFs() throws {
        try trainPredictEvaluate("gray8-striped", classes: 2)
    }

    func testGray16TiledTIFFsWithSixteenBitLabels() throws {
        let run = try trainPredictEvaluate("gray16-tiled", classes: 3)
        let info = try Checkpoint.read(from: run + "/last.safetensors").info
        XCTAssertEqual(info.configuration.classes, 3, "16-bit label masks 0/1/2")
        XCTAssertEqual(info.normalization.scheme, .percentile(low: 1, high: 99.8), "the plan: per-image percentiles for 16-bit images")
    }

    func testRGB8PlanarTIFFsWithBinaryMasks() throws {
        let run = try trainPredictEvaluate("rgb8", classes: 2)
        XCTAssertEqual(try Checkpoint.read(from: run + "/last.safetensors").info.configuration.inputChannels, 3)
    }

    func testPercentileNormalizationIsStoredAndUsed() throws {
        let run = try trainPredictEvaluate("gray16-tiled", classes: 3, extra: ["--normalize", "percentile", "--percentiles", "2,99.5"])
        let checkpoint = try Checkpoint.read(from: run + "/last.safetensors")
        XCTAssertEqual(checkpoint.info.normalization, .percentile(low: 2, high: 99.5, channels: 1))
        XCTAssertEqual(checkpoint.runOptions?.normalization, .percentile(low: 2, high: 99.5))
        let info = try ToolRunner.run(["info", run + "/last.safetensors"])
        XCTAssertTrue(info.output.contains("normalised per image: percentiles 2.0 and 99.5 to 0 and 1 (clipped), then mean [0.0] std [1.0]"),
                      info.output)
        // The scheme is part of the run: changing it on resume is refused, naming it.
        let resume = try ToolRunner.run(["train", "--resume", run + "/last.safetensors", "--steps", "3", "--normalize", "dataset"])
        XCTAssertNotEqual(resume.status, 0)
        XCTAssertTrue(resume.error.contains("--normalize dataset (the run has percentile 2.0 99.5)"), resume.error)
    }

    func testPercentileOptionsAreChecked() throws {
        let root = try dataset("gray8-striped")
        for (args, message) in [(["--percentiles", "1,99"], "--percentiles goes with --normalize percentile"),
                                (["--normalize", "percentile", "--percentiles", "99,1"], "the low percentile must be below the high one"),
                                (["--normalize", "percentile", "--percentiles", "1,101"], "a percentile must be within 0...100"),
                                (["--normalize", "percentile", "--percentiles", "5"], "--percentiles must be two numbers LOW,HIGH")] {
            let result = try ToolRunner.run(["train", "--data", root + "/data", "--out", root + "/run"] + tiny + args)
            XCTAssertNotEqual(result.status, 0, "\(args)")
            XCTAssertTrue(result.error.contains(message), "\(args): \(result.error)")
        }
    }
}
