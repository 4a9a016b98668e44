import Foundation
import ImageCodecs
import Tensors
import XCTest
import TestSupport

/// `--precision`: bf16 trains the test suite's tiny configuration end to end (close to fp32 but
/// not identical: bfloat16 convolutions really ran), predicts and benchmarks; a CPU without
/// bfloat16 instructions is refused with the reason before anything is written.
final class PrecisionOptionTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func makeDataset() throws -> String { try noiseDataset("unet-precision", seed: 22) }

    /// Width 16, so that the inner convolutions have the multiple-of-16 channels bf16 kernels need.
    func trainArguments(_ root: String, out: String) -> [String] {
        ["train", "--data", root, "--out", out, "--depth", "2", "--width", "16", "--patch-size", "60", "--batch-size", "1",
         "--threads", "1", "--steps", "3", "--val-fraction", "0", "--disable", "elastic", "--seed", "3", "--optimizer", "sgd", "--lr", "0.01"]
    }

    func testBF16TrainsPredictsAndBenchmarks() throws {
        if let problem = Backends.cpuBF16Problem { throw XCTSkip(problem) }
        let root = try makeDataset()
        let bf16 = try ToolRunner.run(trainArguments(root, out: root + "/bf16") + ["--precision", "bf16"])
        XCTAssertEqual(bf16.status, 0, bf16.error)
        let fp32 = try ToolRunner.run(trainArguments(root, out: root + "/fp32") + ["--precision", "fp32"])
        XCTAssertEqual(fp32.status, 0, fp32.error)
        let a = try StoredWeights(path: root + "/bf16/last.safetensors"), b = try StoredWeights(path: root + "/fp32/last.safetensors")
        XCTAssertEqual(a.values.keys.sorted(), b.values.keys.sorted())
        var differs = false
        // Each tensor against its own largest value, but at least 1% of the largest of all: the
        // batch-norm biases start at zero and are only a few SGD steps' worth of gradient.
        let global = b.values.values.map { $0.map(abs).max() ?? 0 }.max() ?? 0
        for (name, x) in a.values where !name.hasPrefix("optimizer.") {
            let y = b.values[name]!
            XCTAssertTrue(x.allSatisfy(\.isFinite), "\(name): non-finite weights after bf16 training")
            let scale = max(1e-2 * global, y.map { abs($0) }.max() ?? 0)
            let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst / scale, 2e-2, "\(name): bf16 and fp32 training differ by \(worst)")
            if worst > 0 { differs = true }
        }
        XCTAssertTrue(differs, "bf16 training gave the fp32 weights bit for bit: no bfloat16 convolution ran")

        let predicted = try ToolRunner.run(["predict", "--model", root + "/bf16/last.safetensors", "--out", root + "/pred",
                                            "--precision", "bf16", root + "/images"])
        XCTAssertEqual(predicted.status, 0, predicted.error)
        for k in 0..<3 { XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/pred/i\(k).png"), "i\(k) not predicted") }

        let bench = try ToolRunner.run(["bench", "--depth", "2", "--width", "16", "--size", "60", "--steps", "1", "--warmup", "0",
                                        "--no-sgemm", "--threads", "1", "--json", "--precision", "bf16"])
        XCTAssertEqual(bench.status, 0, bench.error)
        let report = try JSONSerialization.jsonObject(with: Data(bench.output.utf8)) as? [String: Any]
        XCTAssertEqual(report?["precision"] as? String, "bf16")
    }

    /// ONEDNN_MAX_CPU_ISA=AVX512_CORE caps oneDNN below AVX512_BF16: the machine then looks like one
    /// without bfloat16 instructions, on every x86 CPU.
    func testBF16IsRefusedWithoutTheInstructions() throws {
        let root = try makeDataset()
        let noBF16 = ["ONEDNN_MAX_CPU_ISA": "AVX512_CORE"]
        let train = try ToolRunner.run(trainArguments(root, out: root + "/run") + ["--precision", "bf16"], environment: noBF16)
        XCTAssertEqual(train.status, 1)
        XCTAssertTrue(train.error.contains("--precision bf16: this CPU has neither AVX512_BF16 nor AMX instructions"), train.error)
        XCTAssertTrue(train.error.contains("use --precision fp32"), train.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/run"), "the refused run created its folder")
        for command in [["bench", "--depth", "2", "--width", "16", "--size", "60", "--steps", "1", "--no-sgemm"],
                        ["predict", "--model", root + "/none.safetensors", "--out", root + "/pred", root + "/images"]] {
            let r = try ToolRunner.run(command + ["--precision", "bf16"], environment: noBF16)
            XCTAssertEqual(r.status, 1, command[0])
            XCTAssertTrue(r.error.contains("neither AVX512_BF16 nor AMX"), "\(command[0]): \(r.error)")
        }
        // fp32 is unaffected.
        let fp32 = try ToolRunner.run(trainArguments(root, out: root + "/run") + ["--precision", "fp32", "--steps", "1"], environment: noBF16)
        XCTAssertEqual(fp32.status, 0, fp32.error)
    }

    /// TF32 is a GPU tensor-core format: on the CPU every command refuses it, saying so, before any work.
    func testTF32IsRefusedOnTheCPU() throws {
        let root = try makeDataset()
        let train = try ToolRunner.run(trainArguments(root, out: root + "/run") + ["--precision", "tf32", "--device", "cpu"])
        XCTAssertEqual(train.status, 1, train.error)
        XCTAssertTrue(train.error.contains("--precision tf32: the CPU has no TF32 arithmetic"), train.error)
        XCTAssertTrue(train.error.contains("use --precision fp32"), train.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/run"), "the refused run created its folder")
        for command in [["bench", "--depth", "2", "--width", "16", "--size", "60", "--steps", "1", "--no-sgemm"],
                        ["predict", "--model", root + "/none.safetensors", "--out", root + "/pred", root + "/images"]] {
            let r = try ToolRunner.run(command + ["--precision", "tf32"])
            XCTAssertEqual(r.status, 1, command[0])
            XCTAssertTrue(r.error.contains("the CPU has no TF32 arithmetic"), "\(command[0]): \(r.error)")
        }
    }

    func testUnknownPrecisionIsAUsageError() throws {
        let r = try ToolRunner.run(["bench", "--precision", "fp16"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.error.contains("--precision"), r.error)
    }
}
