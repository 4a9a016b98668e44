import CUDABackend
import Foundation
import TestSupport
import XCTest

/// Every kernel source compiles with NVRTC, which needs no GPU: wherever NVRTC is present
/// (UNET_CUDA_LIBRARY_PATH, the usual CUDA and Python-wheel folders, or the repository's
/// `.venv-cuda` made by Tools/gpu/nvrtc-venv). Without it the tests are skipped, saying so.
final class KernelCompilationTests: XCTestCase {
    static let compiler: Result<NVRTC, CUDAError> = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        var environment = ProcessInfo.processInfo.environment
        let venv = LibrarySearch.glob(root + "/.venv-cuda/lib/python3*/site-packages/nvidia/*/lib")
        environment["UNET_CUDA_LIBRARY_PATH"] = ((environment["UNET_CUDA_LIBRARY_PATH"].map { [$0] } ?? []) + venv).joined(separator: ":")
        do { return .success(try NVRTC.load(search: LibrarySearch(environment: environment))) } catch let e as CUDAError {
            return .failure(e)
        } catch { fatalError("\(error)") }
    }()

    func nvrtc() throws -> NVRTC {
        switch Self.compiler {
        case .success(let n): return n
        case .failure(let e): throw XCTSkip("NVRTC not found, kernel sources not compiled (Tools/gpu/nvrtc-venv installs it): \(e)")
        }
    }

    func testEverySourceCompilesToPTXDefiningEachOfItsKernels() throws {
        let nvrtc = try nvrtc()
        for source in KernelSource.all {
            let image = try nvrtc.compile(source, for: .ptx(major: 7, minor: 5))
            XCTAssertEqual(image.last, 0, "\(source.name): PTX ends with its NUL")
            let ptx = String(decoding: image.dropLast(), as: UTF8.self)
            for kernel in source.kernels {
                XCTAssertTrue(ptx.contains(".entry \(kernel)("), "\(source.name): the PTX defines \(kernel)")
            }
            let entries = ptx.components(separatedBy: ".entry ").count - 1
            XCTAssertEqual(entries, source.kernels.count, "\(source.name): every kernel it defines is listed")
        }
    }

    func testEverySourceCompilesToAHopperCubin() throws {
        let nvrtc = try nvrtc()
        for source in KernelSource.all {
            let image = try nvrtc.compile(source, for: .cubin(major: 9, minor: 0))
            XCTAssertEqual(Array(image.prefix(4)), [0x7f, 0x45, 0x4c, 0x46], "\(source.name): a cubin is an ELF image")
        }
    }

    func testKernelNamesAreUniqueAcrossSources() {
        let names = KernelSource.all.flatMap(\.kernels)
        XCTAssertEqual(Set(names).count, names.count)
    }

    func testACompileErrorNamesTheSourceAndQuotesTheLog() throws {
        let nvrtc = try nvrtc()
        let broken = KernelSource(name: "broken_example", code: "extern \"C\" __global__ void k(float *y) { y[0] = undeclared_name; }\n", kernels: ["k"])
        XCTAssertThrowsError(try nvrtc.compile(broken, for: .ptx(major: 7, minor: 5))) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("NVRTC could not compile the kernel source 'broken_example' for compute_75:"), message)
            XCTAssertTrue(message.contains("undeclared_name"), message)
        }
    }

    func testTheCacheCompilesEachSourceOnce() throws {
        let cache = KernelImageCache(compiler: try nvrtc())
        let first = try cache.image(.optimizer, for: .ptx(major: 8, minor: 0))
        let second = try cache.image(.optimizer, for: .ptx(major: 8, minor: 0))
        XCTAssertEqual(first, second)
        XCTAssertEqual(cache.compilations, 1, "a cached image is not compiled again")
        _ = try cache.image(.optimizer, for: .ptx(major: 7, minor: 5))
        XCTAssertEqual(cache.compilations, 2, "another target is another image")
    }
}

/// Every kernel's parameters are read from its source (the launcher checks each launch against
/// them), in the kinds the launcher can pass.
final class KernelSignatureTests: XCTestCase {
    func testEveryKernelHasAReadableSignature() {
        for source in KernelSource.all {
            for kernel in source.kernels {
                let p = source.parameters(of: kernel)
                XCTAssertNotNil(p, "\(source.name).\(kernel)")
                XCTAssertFalse(p?.isEmpty ?? true, "\(source.name).\(kernel)")
            }
        }
    }

    func testSignaturesReadTheCTypes() {
        XCTAssertEqual(KernelSource.optimizer.parameters(of: "sgd_update"),
                       [.pointer, .pointer, .pointer, .float, .float, .int, .float, .int, .long])
        XCTAssertEqual(KernelSource.elementwise.parameters(of: "dropout_mask"), [.pointer, .u64, .float, .long])
        XCTAssertEqual(KernelSource.normalization.parameters(of: "finish_mean"), [.pointer, .f64, .pointer, .pointer, .int])
        XCTAssertNil(KernelSource.optimizer.parameters(of: "no_such_kernel"))
        XCTAssertNil(KernelSource(name: "odd", code: "extern \"C\" __global__ void k(short s) {}", kernels: ["k"]).parameters(of: "k"))
    }
}
