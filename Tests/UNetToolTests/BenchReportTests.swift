import Foundation
import XCTest
import TestSupport

/// `unet bench --json` says what oneDNN ran on: the instruction set, the activation layout and the
/// reference kernels executed (none in a normal run); a run that does hit reference kernels says so
/// in the report and once per operation on standard error.
final class BenchReportTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    let arguments = ["bench", "--depth", "2", "--width", "16", "--size", "60", "--batch-size", "2", "--steps", "1", "--warmup", "0",
                     "--no-sgemm", "--threads", "1", "--json"]

    func report(_ environment: [String: String] = [:]) throws -> (json: [String: Any], stderr: String) {
        let r = try ToolRunner.run(arguments, timeout: 300, environment: environment)
        XCTAssertEqual(r.status, 0, r.error)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any], r.output)
        return (json, r.error)
    }

    func testTheReportNamesTheInstructionSetAndRunsNoReferenceKernel() throws {
        let (json, stderr) = try report()
        let isa = try XCTUnwrap(json["cpu_isa"] as? String)
        XCTAssertTrue(isa.hasPrefix("avx"), isa)
        let layout = try XCTUnwrap(json["activation_layout"] as? String)
        XCTAssertEqual(layout, isa.hasPrefix("avx512") ? "nChw16c" : "nChw8c")
        XCTAssertEqual(json["reference_kernel_executions"] as? Int, 0, "\(json["reference_kernels"] ?? "")")
        XCTAssertEqual((json["reference_kernels"] as? [String: Int])?.isEmpty, true)
        XCTAssertFalse(stderr.contains("reference implementation"), stderr)
    }

    /// 16-channel blocks on AVX2 kernels (forced on either CPU family): batch norm and pooling have
    /// only oneDNN's reference loops there. The report counts them and the user is told once per shape.
    func testReferenceKernelsAreReportedAndWarnedAbout() throws {
        let (json, stderr) = try report(["ONEDNN_MAX_CPU_ISA": "AVX2", "UNET_CPU_LAYOUT": "nChw16c"])
        XCTAssertEqual(json["cpu_isa"] as? String, "avx2")
        XCTAssertEqual(json["activation_layout"] as? String, "nChw16c")
        let kernels = try XCTUnwrap(json["reference_kernels"] as? [String: Int])
        XCTAssertTrue(kernels.keys.contains { $0.hasPrefix("batch_normalization ") && $0.contains("ref") }, "\(kernels)")
        XCTAssertGreaterThan(json["reference_kernel_executions"] as? Int ?? 0, 0)
        let warnings = stderr.split(separator: "\n").filter { $0.contains("oneDNN has no optimised kernel for batch_normalization") }
        XCTAssertFalse(warnings.isEmpty, stderr)
        XCTAssertEqual(Set(warnings).count, warnings.count, "one warning per operation and shape:\n\(stderr)")
        XCTAssertTrue(warnings.allSatisfy { $0.contains("(avx2)") && $0.contains("10–100× slower") }, stderr)
    }

    /// The bench flags each change what is measured and reported: --only measures one half,
    /// --steps the number of timed samples, the network flags the network described.
    func testFlagsChangeWhatIsMeasured() throws {
        func run(_ extra: [String]) throws -> [String: Any] {
            let r = try ToolRunner.run(["bench", "--depth", "2", "--width", "8", "--size", "60", "--batch-size", "1", "--warmup", "0",
                                        "--no-sgemm", "--threads", "1", "--json"] + extra, timeout: 300)
            XCTAssertEqual(r.status, 0, r.error)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any], r.output)
        }
        let infer = try run(["--only", "infer", "--steps", "3"])
        XCTAssertEqual((infer["infer_samples_ms"] as? [Double])?.count, 3)
        XCTAssertEqual((infer["train_step_samples_ms"] as? [Double])?.count, 0, "--only infer times no training step")
        let train = try run(["--only", "train", "--steps", "2", "--block", "bottleneck", "--upsampling", "nearest", "--classes", "3",
                             "--channels", "3", "--padding", "same", "--size", "64"])
        XCTAssertEqual((train["train_step_samples_ms"] as? [Double])?.count, 2)
        XCTAssertEqual((train["infer_samples_ms"] as? [Double])?.count, 0, "--only train times no inference")
        XCTAssertEqual(train["block"] as? String, "bottleneck")
        XCTAssertEqual(train["upsampling"] as? String, "nearest")
        XCTAssertEqual(train["padding"] as? String, "same")
        XCTAssertEqual(train["classes"] as? Int, 3)
        XCTAssertEqual(train["input_channels"] as? Int, 3)
        XCTAssertEqual(train["output_size"] as? Int, 64, "same padding keeps the size")
        XCTAssertNotEqual(train["gflop_train_step"] as? Double, infer["gflop_train_step"] as? Double, "another network, other work")
    }
}
