@testable import CUDABackend
import Foundation
import ImageCodecs
import Tensors
import TestSupport
import Training
import XCTest

/// The whole conformance suite on the CUDA backend without a GPU: the backend runs unchanged
/// against an emulated driver, cuDNN and NVRTC (Tools/cuda-emulator: device memory is host
/// memory, every kernel's CUDA C is compiled for the host by the system C++ compiler and run
/// block by block with one thread, convolutions are cuDNN's documented semantics in plain loops).
/// What it proves: the kernels' arithmetic, the launches' grids and arguments, the mapping of
/// every op (transposed convolutions included) onto cuDNN's calls, the allocator and the host
/// copies agree with the reference backend. What it cannot: real cuDNN's and the GPU's own
/// behaviour (many threads per block, algorithm choice, speed), which Tools/gpu/check covers.
final class CUDAEmulatorTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let emulator = root.appendingPathComponent("Tools/cuda-emulator").path

    /// The C++ type of a parameter declaration (`const float *x` → `const float *`).
    static func type(of declaration: String) -> String {
        var d = declaration
        while let last = d.last, last.isLetter || last.isNumber || last == "_" { d.removeLast() }
        return d.trimmingCharacters(in: .whitespaces)
    }

    /// Every kernel source for the host, with a launcher per kernel that unpacks cuLaunchKernel's parameters.
    static func hostKernels() -> String {
        var text = "#include \"emulator.h\"\n" + KernelSource.prelude
        var registry: [String] = []
        for source in KernelSource.all {
            text += "\n// ---- \(source.name)\n" + source.code
            for kernel in source.kernels {
                let types = source.parameterDeclarations(of: kernel)!.map(type(of:))
                let arguments = types.enumerated().map { "*(\($1) *)p[\($0)]" }.joined(separator: ", ")
                text += "\nstatic void launch_\(kernel)(void **p) { \(kernel)(\(arguments)); }\n"
                registry.append("{\"\(kernel)\", launch_\(kernel)}")
            }
        }
        text += "\nextern \"C\" const unet_kernel unet_kernels[] = {\n    " + registry.joined(separator: ",\n    ") + "\n};\n"
        text += "extern \"C\" const int unet_kernel_count = \(registry.count);\n"
        return text
    }

    func compile(_ output: String, _ sources: [String]) throws {
        guard let compiler = ["/usr/bin/c++", "/usr/bin/g++", "/usr/bin/clang++"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("no C++ compiler to build the CUDA emulator")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: compiler)
        p.arguments = ["-std=c++17", "-O2", "-shared", "-fPIC", "-w", "-I", Self.emulator, "-o", output] + sources
        let err = Pipe()
        p.standardError = err
        try p.run()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "\(compiler) \(output):\n\(log.prefix(4000))")
        if p.terminationStatus != 0 { throw XCTSkip("the emulator did not build") }
    }

    /// The emulated libraries, built once per test process.
    nonisolated(unsafe) static var built: String?

    func emulatorFolder() throws -> String {
        if let built = Self.built { return built }
        // UNET_EMULATOR_DIR keeps the emulated libraries there, for running the tool on them by hand
        // (UNET_CUDA_LIBRARY_PATH=DIR unet train --device cuda ...).
        let folder = try ProcessInfo.processInfo.environment["UNET_EMULATOR_DIR"].map { dir -> String in
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return dir
        } ?? NSTemporaryDirectory() + "unet-cuda-emulator-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Self.hostKernels().write(toFile: folder + "/kernels.cpp", atomically: true, encoding: .utf8)
        try compile(folder + "/libcuda.so.1", [Self.emulator + "/driver.cpp", folder + "/kernels.cpp"])
        try compile(folder + "/libcudnn.so.9", [Self.emulator + "/cudnn.cpp"])
        try compile(folder + "/libnvrtc.so.13", [Self.emulator + "/nvrtc.cpp"])
        Self.built = folder
        return folder
    }

    func testTheConformanceSuitePassesOnTheEmulatedGPU() throws {
        let folder = try emulatorFolder()
        // The suite runs in a child test process whose backend under test is `cuda`, found in the emulator's folder.
        let runner = Bundle.main.executablePath ?? CommandLine.arguments[0]
        guard runner.hasSuffix(".xctest") else { throw XCTSkip("not run by an XCTest bundle executable (\(runner))") }
        let list = try run(runner, ["--list-tests"], environment: [:])
        let classes = Set(list.output.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("ConformanceTests."), let slash = line.firstIndex(of: "/") else { return nil }
            return String(line[..<slash])
        }).sorted()
        XCTAssertGreaterThan(classes.count, 10, "the conformance classes were listed")
        let r = try run(runner, [classes.joined(separator: ",")],
                        environment: ["UNET_TEST_BACKEND": "cuda", "UNET_CUDA_LIBRARY_PATH": folder])
        let failures = r.output.split(separator: "\n").filter { $0.contains("error:") || $0.contains("Fatal error") }
        XCTAssertEqual(r.status, 0, "conformance on the emulated GPU:\n" + failures.prefix(40).joined(separator: "\n")
                       + "\n" + r.output.split(separator: "\n").suffix(5).joined(separator: "\n"))
        let totals = r.output.split(separator: "\n").last { $0.contains("Executed") && $0.contains("tests") } ?? "no totals"
        print("conformance on the emulated GPU: \(totals.trimmingCharacters(in: .whitespaces))")
        let executed = Int(totals.split(separator: " ").drop { $0 != "Executed" }.dropFirst().first ?? "") ?? 0
        XCTAssertGreaterThan(executed, 30, "the suite ran: \(totals)")
        XCTAssertTrue(totals.contains(" 0 failures"), String(totals))
        // All three precisions ran: fp32 is the whole suite; bf16 and tf32 have their own classes,
        // which skip where the backend refuses the precision (they must not here).
        for suite in ["BF16ConformanceTests", "TF32ConformanceTests"] {
            for test in ["testConvolutionPasses", "testFusedConvolution", "testUNetForwardBackward"] {
                XCTAssertTrue(r.output.contains("\(suite).\(test)' passed"), "\(suite).\(test) ran and passed on the emulated GPU")
            }
        }
        if ProcessInfo.processInfo.environment["UNET_EMULATOR_LOG"] != nil { print(r.output) }

        // fp32 with NHWC activations (the layout tf32 and bf16 use): every op in channels-last.
        let nhwc = try run(runner, [classes.joined(separator: ",")],
                           environment: ["UNET_TEST_BACKEND": "cuda", "UNET_CUDA_LIBRARY_PATH": folder, "UNET_CUDA_LAYOUT": "nhwc"])
        XCTAssertEqual(nhwc.status, 0, "conformance in NHWC on the emulated GPU:\n"
                       + nhwc.output.split(separator: "\n").filter { $0.contains("error:") || $0.contains("Fatal error") }.prefix(40).joined(separator: "\n"))

        // Where cuDNN refuses the fused convolution-bias-ReLU, inference computes the same in separate passes.
        let unfused = try run(runner, ["ConformanceTests.UNetConformanceTests"],
                              environment: ["UNET_TEST_BACKEND": "cuda", "UNET_CUDA_LIBRARY_PATH": folder, "UNET_EMULATOR_REFUSE_FUSION": "1"])
        XCTAssertEqual(unfused.status, 0, String(unfused.output.suffix(3000)))
        XCTAssertTrue(unfused.output.contains("bias, residual and ReLU run unfused"), "the lost fusion is reported")
    }

    /// The backend's own GPU tests (GPUBackendTests: kernels load, copies round-trip, no device or
    /// pinned allocation in the step loop after warm-up) on the emulated GPU.
    func testTheGPUBackendTestsPassOnTheEmulatedGPU() throws {
        let folder = try emulatorFolder()
        let runner = Bundle.main.executablePath ?? CommandLine.arguments[0]
        guard runner.hasSuffix(".xctest") else { throw XCTSkip("not run by an XCTest bundle executable (\(runner))") }
        let r = try run(runner, ["CUDABackendTests.GPUBackendTests"], environment: ["UNET_CUDA_LIBRARY_PATH": folder])
        XCTAssertEqual(r.status, 0, String(r.output.suffix(3000)))
        // Passed, not skipped: each test's own line says so.
        for test in ["testEveryKernelLoadsOnTheDevice", "testHostCopiesRoundTripAndLandOnTheDevice",
                     "testTheStepLoopTakesNoMemoryFromTheDriverAfterWarmUp", "testBatchesGoUpThroughReusedPinnedBuffers",
                     "testEachPrecisionReachesTheConvolutions", "testActivationsAreChannelsLastUnderTensorCorePrecisions",
                     "testATrainingStepWaitsForTheGPUOnlyInTheLoss"] {
            XCTAssertTrue(r.output.contains("GPUBackendTests.\(test)' passed"), "\(test) ran on the emulator:\n" + String(r.output.suffix(2000)))
        }
    }

    func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The tool on the emulated GPU: `train --device cuda`, then `predict --device auto` (which
    /// picks the GPU and says so) writes the same masks as `predict --device cpu`.
    func testTheToolTrainsAndPredictsOnTheEmulatedGPULikeTheCPU() throws {
        let folder = try emulatorFolder()
        let tool = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("unet").path
        guard FileManager.default.isExecutableFile(atPath: tool) else { throw XCTSkip("the unet executable was not built beside the tests") }
        let root = try scratchDirectory("cuda-emulator-tool", subfolders: ["images", "masks"])
        var rng = SeededGenerator(seed: 21)
        for k in 0..<2 {
            let img = (0..<1600).map { _ in UInt8(rng.next() % 256) }
            try Image(width: 40, height: 40, channels: 1, samples: img).write(to: "\(root)/images/i\(k).png")
            try Image(width: 40, height: 40, channels: 1, samples: img.map { $0 > 128 ? 255 : 0 }).write(to: "\(root)/masks/i\(k).png")
        }
        let gpu = ["UNET_CUDA_LIBRARY_PATH": folder]
        let train = try run(tool, ["train", "--data", root, "--out", root + "/run", "--device", "cuda", "--depth", "2", "--width", "4",
                                   "--patch-size", "60", "--batch-size", "1", "--steps", "3", "--val-fraction", "0", "--seed", "3"], environment: gpu)
        XCTAssertEqual(train.status, 0, train.output)
        let auto = try run(tool, ["predict", "--model", root + "/run/last.safetensors", "--out", root + "/gpu", "--device", "auto",
                                  root + "/images"], environment: gpu)
        XCTAssertEqual(auto.status, 0, auto.output)
        XCTAssertTrue(auto.output.contains("device auto: cuda:0 (CPU emulator"), auto.output)
        let cpu = try run(tool, ["predict", "--model", root + "/run/last.safetensors", "--out", root + "/cpu", "--device", "cpu",
                                 root + "/images"], environment: [:])
        XCTAssertEqual(cpu.status, 0, cpu.output)
        for k in 0..<2 {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(root)/gpu/i\(k).png"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(root)/cpu/i\(k).png"))
            XCTAssertEqual(a, b, "i\(k): the emulated GPU's mask is the CPU's")
        }

        // --precision tf32 and bf16 on the GPU (width 8: inner channel counts are multiples of 8,
        // where bf16 applies): training runs, its weights differ from fp32's (the precision took
        // effect) but not by much, predict and bench accept them and bench reports them.
        func trainArguments(_ out: String, _ precision: String) -> [String] {
            ["train", "--data", root, "--out", out, "--device", "cuda", "--depth", "2", "--width", "8", "--patch-size", "60",
             "--batch-size", "1", "--steps", "2", "--val-fraction", "0", "--seed", "3", "--workers", "2", "--precision", precision]
        }
        var weights: [String: [Float]] = [:]
        for precision in ["fp32", "tf32", "bf16"] {
            let out = root + "/run-" + precision
            let r = try run(tool, trainArguments(out, precision), environment: gpu)
            XCTAssertEqual(r.status, 0, "\(precision): \(r.output)")
            XCTAssertTrue(r.output.contains("2 data workers"), r.output)
            let stored = try Backends.with(Backends.reference) {
                try Checkpoint.read(from: out + "/last.safetensors").tensors.filter { !$0.key.hasPrefix("optimizer.") }
                    .sorted { $0.key < $1.key }.flatMap(\.value.scalars)
            }
            weights[precision] = stored
            let predicted = try run(tool, ["predict", "--model", out + "/last.safetensors", "--out", root + "/pred-" + precision,
                                           "--device", "cuda", "--precision", precision, root + "/images"], environment: gpu)
            XCTAssertEqual(predicted.status, 0, "\(precision): \(predicted.output)")
        }
        for precision in ["tf32", "bf16"] {
            let a = weights[precision]!, b = weights["fp32"]!
            XCTAssertEqual(a.count, b.count)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0, scale = b.map(abs).max() ?? 1
            XCTAssertGreaterThan(worst, 0, "\(precision) training gave fp32's weights bit for bit")
            XCTAssertLessThan(worst / scale, 0.05, "\(precision) training strayed from fp32")
        }
        let bench = try run(tool, ["bench", "--device", "cuda", "--depth", "2", "--width", "8", "--size", "60", "--steps", "1", "--warmup", "0",
                                   "--no-sgemm", "--json", "--precision", "bf16"], environment: gpu)
        XCTAssertEqual(bench.status, 0, bench.output)
        XCTAssertTrue(bench.output.contains("\"precision\" : \"bf16\"") || bench.output.contains("\"precision\":\"bf16\""), bench.output)
    }
}
