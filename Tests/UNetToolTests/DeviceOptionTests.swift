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
            // Measured: up to about 1e-6 (float rounding, summed in another order); 1e-5 leaves room.
            XCTAssertLessThan(worst / scale, 1e-5, "\(name): reference and cpu training differ by \(worst)")
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

/// `--device cuda|cuda:N|auto` and `info --devices` on a machine without a usable GPU (this
/// one and CI): a clean failure with the reason, a reported fall-back to the CPU, a listing
/// that says what is missing. Skipped where a GPU works (the GPU check covers that case).
final class CUDADeviceChoiceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func requireNoGPU() throws -> String {
        let r = try ToolRunner.run(["info", "--devices"])
        XCTAssertEqual(r.status, 0, r.error)
        if !r.output.contains("cuda driver  none:") && !r.output.contains("cudnn        none:") && !r.output.contains("nvrtc        none:") {
            throw XCTSkip("this machine has a usable GPU stack")
        }
        return r.output
    }

    func testInfoDevicesListsTheCPUAndWhatIsMissing() throws {
        let listing = try requireNoGPU()
        let lines = listing.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("cpu          oneDNN on ") ?? false, listing)
        XCTAssertTrue(lines.first?.contains("usable cores of \(ProcessInfo.processInfo.processorCount)") ?? false, listing)
        for label in ["cuda driver  ", "cudnn        ", "nvrtc        "] {
            XCTAssertEqual(lines.filter { $0.hasPrefix(label) }.count, 1, "one \(label)line in\n\(listing)")
        }
        if let driver = lines.first(where: { $0.hasPrefix("cuda driver  none:") }) {
            XCTAssertTrue(driver.contains("no NVIDIA driver found (libcuda.so.1: searched "), driver)
        }
    }

    func testCUDAFailsCleanlyWithTheReason() throws {
        _ = try requireNoGPU()
        for device in ["cuda", "cuda:1"] {
            let r = try ToolRunner.run(["bench", "--device", device, "--depth", "1", "--width", "2", "--steps", "1"], timeout: 120)
            XCTAssertEqual(r.status, 1, r.error)
            XCTAssertFalse(r.signalled, r.error)
            XCTAssertTrue(r.error.hasPrefix("Error: --device cuda:\(device == "cuda" ? 0 : 1): "), r.error)
            XCTAssertTrue(["no NVIDIA driver found (", " not found; searched ", "sees no GPU", "no such GPU"].contains { r.error.contains($0) }, r.error)
            XCTAssertEqual(r.output, "", "nothing was benchmarked")
        }
    }

    func testAutoFallsBackToTheCPUAndSaysSoOnStandardError() throws {
        _ = try requireNoGPU()
        let r = try ToolRunner.run(["bench", "--device", "auto", "--depth", "1", "--width", "2", "--size", "44", "--steps", "1",
                                    "--warmup", "0", "--no-sgemm", "--json", "--threads", "1"], timeout: 300)
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.error.hasPrefix("device auto: cpu (no usable GPU: "), r.error)
        let report = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any]
        XCTAssertEqual(report?["implementation"] as? String, "unet (Swift, oneDNN)", "standard output stays one JSON object")
    }

    func testMalformedDeviceNamesAreUsageErrors() throws {
        for device in ["cuda:x", "cuda:-1", "cuda:01", "cuda:", "gpu"] {
            let r = try ToolRunner.run(["bench", "--device", device])
            XCTAssertEqual(r.status, 64, "\(device): \(r.error)")
            XCTAssertTrue(r.error.contains("'auto', 'cpu', 'cuda', 'cuda:N' or 'reference'"), r.error)
        }
    }

    func testInfoWantsACheckpointOrDevicesButNotBoth() throws {
        XCTAssertEqual(try ToolRunner.run(["info"]).status, 64)
        XCTAssertEqual(try ToolRunner.run(["info", "m.safetensors", "--devices"]).status, 64)
    }
}
