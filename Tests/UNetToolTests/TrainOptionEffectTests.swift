import Foundation
import ImageCodecs
import Tensors
import TestSupport
import XCTest

/// Each train option that no test passed before (#28) changes what it says it changes, on the
/// built tool: the network's blocks, padding and up-sampling, the schedule, validation's rhythm,
/// the weight average, batch-norm statistics, patch sampling and gradient clipping.
final class TrainOptionEffectTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    let tiny = ["--depth", "2", "--width", "4", "--batch-size", "1", "--threads", "1", "--seed", "5", "--disable", "elastic", "--no-plan"]

    func train(_ root: String, _ name: String, _ extra: [String]) throws -> String {
        let run = root + "/" + name
        let r = try ToolRunner.run(["train", "--data", root, "--out", run] + tiny + extra, timeout: 300)
        XCTAssertEqual(r.status, 0, "\(extra): \(r.error)")
        return run
    }

    /// metrics.csv as rows of column → value.
    func metrics(_ run: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: run + "/metrics.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    func model(_ run: String) throws -> [String: Any] {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: run + "/last.safetensors"))
        let length = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<8 + length)) as! [String: Any]
        let metadata = header["__metadata__"] as! [String: String]
        let info = try JSONSerialization.jsonObject(with: Data(metadata["unet.model"]!.utf8)) as! [String: Any]
        return info["configuration"] as! [String: Any]
    }

    func shapes(_ run: String) throws -> [String: [Int]] {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: run + "/last.safetensors"))
        let length = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<8 + length)) as! [String: Any]
        return header.compactMapValues { ($0 as? [String: Any])?["shape"] as? [Int] }
    }

    /// Largest difference between two runs' tensors whose names pass `include`.
    func difference(_ a: String, _ b: String, file: String = "last.safetensors", include: (String) -> Bool = { !$0.hasPrefix("optimizer.") }) throws -> Float {
        let x = try StoredWeights(path: a + "/" + file), y = try StoredWeights(path: b + "/" + file)
        var worst: Float = 0
        for name in x.keys where include(name) {
            for (p, q) in zip(x.values[name]!, y.values[name] ?? []) { worst = max(worst, abs(p - q)) }
        }
        return worst
    }

    func testBlockPaddingAndUpsamplingShapeTheNetwork() throws {
        let root = try noiseDataset("unet-effect-net", seed: 31)
        let bottleneck = try train(root, "bottleneck", ["--steps", "1", "--block", "bottleneck", "--padding", "same", "--upsampling", "nearest",
                                                        "--patch-size", "32"])
        let c = try model(bottleneck)
        XCTAssertEqual(c["block"] as? String, "bottleneck")
        XCTAssertEqual(c["padding"] as? String, "same")
        XCTAssertEqual(c["upsampling"] as? String, "nearest")
        let plain = try train(root, "plain", ["--steps", "1", "--block", "plain", "--padding", "valid", "--upsampling", "transposed",
                                              "--patch-size", "60"])
        let (b, p) = (try shapes(bottleneck), try shapes(plain))
        // Nearest up-sampling learns a 1×1 convolution, transposed a 2×2 one; a bottleneck block
        // has a 1×1 reduction where a plain block has two 3×3 convolutions.
        XCTAssertEqual(b.first { $0.key.hasSuffix("decoder.0.up.weight") }?.value.suffix(2), [1, 1], "\(b.keys.sorted())")
        XCTAssertEqual(p.first { $0.key.hasSuffix("decoder.0.up.weight") }?.value.suffix(2), [2, 2], "\(p.keys.sorted())")
        XCTAssertTrue(b.values.contains { $0.count == 4 && $0.suffix(2) == [1, 1] && !$0.isEmpty }, "1×1 convolutions in a bottleneck")
        XCTAssertNotEqual(Set(b.keys.filter { $0.hasPrefix("encoder.0.") }), Set(p.keys.filter { $0.hasPrefix("encoder.0.") }))
        // Both predict a mask of the image's size, each tiling by its own padding's rule.
        for run in [bottleneck, plain] {
            let out = root + "/pred-" + (run as NSString).lastPathComponent
            let r = try ToolRunner.run(["predict", "--model", run + "/last.safetensors", "--out", out, root + "/images/i0.png"])
            XCTAssertEqual(r.status, 0, r.error)
            let mask = try Image.read(contentsOf: out + "/i0.png")
            XCTAssertEqual([mask.width, mask.height], [40, 40], run)
        }
    }

    func testSchedulesSetTheLearningRate() throws {
        let root = try noiseDataset("unet-effect-lr", seed: 32)
        var rates: [String: [Double]] = [:]
        for schedule in ["constant", "step", "cosine"] {
            let run = try train(root, schedule, ["--epochs", "6", "--schedule", schedule, "--warmup", "0", "--lr", "0.01", "--patch-size", "60",
                                                 "--val-fraction", "0"])
            rates[schedule] = try metrics(run).map { Double($0["lr"]!)! }
        }
        XCTAssertEqual(rates["constant"], [Double](repeating: 0.01, count: 6))
        let cosine = try XCTUnwrap(rates["cosine"]), step = try XCTUnwrap(rates["step"])
        XCTAssertTrue(zip(cosine, cosine.dropFirst()).allSatisfy { $0 > $1 }, "cosine falls every epoch: \(cosine)")
        XCTAssertLessThan(cosine.last!, 0.005)
        XCTAssertTrue(zip(step, step.dropFirst()).allSatisfy { $0 >= $1 } && step.last! < step.first!, "step falls in steps: \(step)")
        XCTAssertGreaterThan(step.count - Set(step).count, 0, "step holds its rate between drops: \(step)")
    }

    func testValidateEveryValidatesOnItsEpochsOnly() throws {
        let root = try noiseDataset("unet-effect-val", seed: 33, count: 4)
        let run = try train(root, "every2", ["--epochs", "4", "--validate-every", "2", "--patch-size", "60", "--val-fraction", "0.25"])
        let rows = try metrics(run)
        XCTAssertEqual(rows.map { $0["epoch"]! }, ["1", "2", "3", "4"])
        XCTAssertEqual(rows.map { $0["val_loss"]!.isEmpty }, [true, false, true, false], "\(rows.map { $0["val_loss"]! })")
    }

    func testEMAAndBatchNormStatisticsChangeWhatIsSaved() throws {
        let root = try noiseDataset("unet-effect-ema", seed: 34, count: 4)
        let common = ["--steps", "6", "--patch-size", "60", "--val-fraction", "0.25", "--optimizer", "sgd", "--lr", "0.05"]
        let ema = try train(root, "ema", common + ["--ema"]), raw = try train(root, "raw", common + ["--no-ema"])
        XCTAssertGreaterThan(try difference(ema, raw, include: { $0.hasSuffix(".weight") && !$0.hasPrefix("optimizer.") }), 1e-6,
                             "the average is not the last step's weights")
        let recomputed = try train(root, "recomputed", common + ["--no-ema", "--bn-stats", "recomputed"])
        XCTAssertGreaterThan(try difference(recomputed, raw, include: { $0.hasSuffix("running_mean") || $0.hasSuffix("running_var") }), 1e-6,
                             "recomputed statistics are not the running averages")
        XCTAssertEqual(try difference(recomputed, raw, include: { $0.hasSuffix("conv1.weight") }), 0, "the weights themselves are the same")
    }

    func testSamplingChangesWhichPatchesAreDrawn() throws {
        // Images of two sizes: by image, each is drawn as often; by area, the large one more often.
        let root = try scratchDirectory("unet-effect-sampling", subfolders: ["images", "masks"])
        var rng = SeededGenerator(seed: 35)
        for (k, side) in [(0, 40), (1, 120)] {
            let pixels = (0..<(side * side)).map { _ in UInt8(rng.next() % 256) }
            try Image(width: side, height: side, channels: 1, samples: pixels).write(to: "\(root)/images/s\(k).png")
            try Image(width: side, height: side, channels: 1, samples: pixels.map { $0 > 128 ? 255 : 0 }).write(to: "\(root)/masks/s\(k).png")
        }
        let common = ["--epochs", "1", "--patch-size", "60", "--val-fraction", "0"]
        let image = try train(root, "image", common + ["--sampling", "image"]), area = try train(root, "area", common + ["--sampling", "area"])
        // The epoch has as many patches either way; which image they come from differs, so the
        // same seed trains other weights (were --sampling ignored they would be identical).
        let steps = try [image, area].map { try metrics($0).last.flatMap { Int($0["step"]!) } ?? 0 }
        XCTAssertEqual(steps[0], steps[1])
        XCTAssertGreaterThan(try difference(image, area, include: { $0.hasSuffix("conv1.weight") }), 1e-6)
        let again = try train(root, "image-again", common + ["--sampling", "image"])
        XCTAssertEqual(try difference(image, again, include: { $0.hasSuffix("conv1.weight") }), 0, "the same sampling trains the same weights")
    }

    /// Clipping bounds each step: with SGD without momentum at learning rate 1, a step moves the
    /// weights by at most the clip norm; without clipping far more.
    func testClipNormBoundsEachStep() throws {
        let root = try noiseDataset("unet-effect-clip", seed: 36)
        let common = ["--patch-size", "60", "--val-fraction", "0", "--optimizer", "sgd", "--momentum", "0", "--lr", "1", "--no-ema",
                      "--warmup", "0", "--schedule", "constant", "--no-batch-norm"]
        func moved(_ extra: [String]) throws -> Float {
            let one = try train(root, "one\(extra.count)", common + ["--steps", "1"] + extra)
            let two = try train(root, "two\(extra.count)", common + ["--steps", "2"] + extra)
            let a = try StoredWeights(path: one + "/last.safetensors"), b = try StoredWeights(path: two + "/last.safetensors")
            var squares = 0.0
            for name in a.keys where !name.hasPrefix("optimizer.") {
                for (p, q) in zip(a.values[name]!, b.values[name]!) { squares += Double(p - q) * Double(p - q) }
            }
            return Float(squares.squareRoot())
        }
        let clipped = try moved(["--clip-norm", "0.001"])
        XCTAssertLessThanOrEqual(clipped, 0.001 * 1.001, "one step at lr 1 moves at most the clip norm")
        XCTAssertGreaterThan(clipped, 0.0005, "the gradient was larger than the clip: it was scaled down to it, not dropped")
        XCTAssertGreaterThan(try moved([]), 0.01, "without clipping the step is far larger")
    }
}
