import Foundation
import ImageCodecs
import Tensors
import XCTest
import TestSupport

/// `--device`: the tool runs on the backend the user chooses. The reference backend (plain
/// loops) trains the test suite's tiny configuration and predicts what the oneDNN backend
/// predicts, to float rounding.
final class DeviceOptionTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func makeDataset() throws -> String { try noiseDataset("unet-device", seed: 21) }

    func testReferenceDeviceTrainsAndPredictsLikeTheCPU() throws {
        let root = try makeDataset()
        let common = ["--data", root, "--depth", "2", "--width", "4", "--patch-size", "60", "--batch-size", "1", "--threads", "1",
                      "--steps", "3", "--val-fraction", "0", "--disable", "elastic", "--seed", "3",
                      // SGD: Adam turns the float noise of gradients that are zero in exact arithmetic
                      // (an up-convolution bias before batch norm) into full ±lr steps of either sign.
                      "--optimizer", "sgd", "--lr", "0.01"]
        let reference = try ToolRunner.run(["train", "--out", root + "/ref"] + common + ["--device", "reference"])
        XCTAssertEqual(reference.status, 0, reference.error)
        let cpu = try ToolRunner.run(["train", "--out", root + "/cpu"] + common + ["--device", "cpu"])
        XCTAssertEqual(cpu.status, 0, cpu.error)
        // Same seed, same data, 3 steps: the weights agree to float rounding.
        let a = try StoredWeights(path: root + "/ref/last.safetensors"), b = try StoredWeights(path: root + "/cpu/last.safetensors")
        XCTAssertEqual(a.keys, b.keys)
        for name in a.keys where !name.hasPrefix("optimizer.") {
            let x = a.values[name]!, y = b.values[name]!
            let scale = max(1, y.map { abs($0) }.max() ?? 0)
            let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst / scale, 1e-3, "\(name): reference and cpu training differ by \(worst)")
        }
        for device in ["reference", "cpu"] {
            let r = try ToolRunner.run(["predict", "--model", root + "/cpu/last.safetensors", "--out", root + "/pred-" + device,
                                        "--device", device, "--probabilities", root + "/images"])
            XCTAssertEqual(r.status, 0, r.error)
        }
        for k in 0..<3 {
            let p = try Image.read(contentsOf: "\(root)/pred-reference/i\(k)_prob_class_1.png")
            let q = try Image.read(contentsOf: "\(root)/pred-cpu/i\(k)_prob_class_1.png")
            guard case .uint16(let u) = p.samples, case .uint16(let v) = q.samples else { return XCTFail("16-bit probabilities expected") }
            XCTAssertLessThanOrEqual(zip(u, v).map { abs(Int($0) - Int($1)) }.max() ?? 0, 7, "i\(k): probabilities differ by more than 1e-4")
        }
    }

    func testUnknownDeviceIsAUsageError() throws {
        let r = try ToolRunner.run(["predict", "--model", "m.safetensors", "--out", "o", "--device", "gpu9", "x.png"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.error.contains("--device"), r.error)
    }
}
