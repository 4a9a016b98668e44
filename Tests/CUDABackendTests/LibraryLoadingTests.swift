import CUDABackend
import Foundation
import TestSupport
import XCTest

/// Loading the NVIDIA libraries where they are missing or broken: every failure is a thrown
/// error naming the library and each place searched, never a crash. Runs on any machine (the
/// searches here look only in the test's own folders).
final class LibraryLoadingTests: XCTestCase {
    func testMissingDriverNamesTheLibraryAndEveryFolderSearched() throws {
        let a = try scratchDirectory("cuda-empty-a"), b = try scratchDirectory("cuda-empty-b")
        XCTAssertThrowsError(try CUDADriver.load(search: LibrarySearch(folders: [a, b]))) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("no NVIDIA driver found (libcuda.so.1: searched "), message)
            XCTAssertTrue(message.contains(a + "/libcuda.so.1") && message.contains(b + "/libcuda.so.1"), message)
        }
    }

    func testMissingCuDNNAndNVRTCSayWhatWasSearched() throws {
        let empty = try scratchDirectory("cuda-empty")
        XCTAssertThrowsError(try CuDNN.load(search: LibrarySearch(folders: [empty]))) { error in
            XCTAssertEqual("\(error)", "libcudnn.so.9 not found; searched \(empty)/libcudnn.so.9; set UNET_CUDA_LIBRARY_PATH to the folder that holds it")
        }
        XCTAssertThrowsError(try NVRTC.load(search: LibrarySearch(folders: [empty]))) { error in
            let message = "\(error)"
            for name in NVRTC.libraryNames { XCTAssertTrue(message.contains("\(empty)/\(name)"), message) }
        }
    }

    func testTheOverrideFoldersComeFirstThenTheLoaderThenTheSystemFolders() {
        let search = LibrarySearch(environment: ["UNET_CUDA_LIBRARY_PATH": "/x:/y", "HOME": "/nonexistent"])
        let paths = search.candidates(for: ["libcudnn.so.9"]).map(\.path)
        XCTAssertEqual(Array(paths.prefix(3)), ["/x/libcudnn.so.9", "/y/libcudnn.so.9", "libcudnn.so.9"])
        XCTAssertTrue(paths.contains("/usr/local/cuda/lib64/libcudnn.so.9"), "\(paths)")
        XCTAssertEqual(Set(paths).count, paths.count, "no place is tried twice")
    }

    func testAFileThatIsNotALibraryKeepsTheLoadersReason() throws {
        let folder = try scratchDirectory("cuda-garbage")
        try Data("not an ELF file".utf8).write(to: URL(fileURLWithPath: folder + "/libcudnn.so.9"))
        XCTAssertThrowsError(try CuDNN.load(search: LibrarySearch(folders: [folder]))) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("libcudnn.so.9 not found; searched \(folder)/libcudnn.so.9 ("), message)
            XCTAssertTrue(message.contains("header") || message.contains("ELF") || message.contains("short"), message)
        }
    }

    func testALibraryLackingAFunctionIsRefusedByName() throws {
        let folder = try scratchDirectory("cuda-fake")
        try buildStandInLibrary(named: "libcudnn.so.9", in: folder, source: "unsigned long cudnnGetVersion(void) { return 90100; }\n")
        XCTAssertThrowsError(try CuDNN.load(search: LibrarySearch(folders: [folder]))) { error in
            XCTAssertEqual("\(error)", "libcudnn.so.9 at \(folder)/libcudnn.so.9 lacks cudnnGetErrorString (too old a version?)")
        }
    }

    /// A stand-in libcuda.so.1 with every function the backend binds, each failing with
    /// CUDA_ERROR_NO_DEVICE: loading gets past binding and reports cuInit's error by name.
    func testADriverWhoseInitFailsReportsTheCallAndTheDriversWords() throws {
        let folder = try scratchDirectory("cuda-fake-driver")
        let header = try String(contentsOfFile: Self.loaderHeader, encoding: .utf8)
        let names = Self.driverFunctionNames(in: header)
        XCTAssertGreaterThan(names.count, 20, "the driver's X-list was read from cuda_loader.h")
        var source = """
        static const char *n = "CUDA_ERROR_NO_DEVICE", *t = "no CUDA-capable device is detected";
        int cuGetErrorName(int e, const char **s) { *s = n; return 0; }
        int cuGetErrorString(int e, const char **s) { *s = t; return 0; }

        """
        for name in names where name != "cuGetErrorName" && name != "cuGetErrorString" { source += "int \(name)() { return 100; }\n" }
        try buildStandInLibrary(named: "libcuda.so.1", in: folder, source: source)
        XCTAssertThrowsError(try CUDADriver.load(search: LibrarySearch(folders: [folder]))) { error in
            XCTAssertEqual("\(error)", "cuInit failed: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected")
        }
    }

    // MARK: helpers

    static let loaderHeader = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/CCUDALoader/include/cuda_loader.h").path

    /// The function names of the header's driver X-list.
    static func driverFunctionNames(in header: String) -> [String] {
        guard let start = header.range(of: "#define UNET_CUDA_DRIVER_FUNCTIONS(X)"),
              let end = header.range(of: "// ---- NVRTC", range: start.upperBound..<header.endIndex) else { return [] }
        let block = header[start.upperBound..<end.lowerBound]
        let pattern = try! NSRegularExpression(pattern: #"X\([^,]+, (cu\w+),"#)
        let text = String(block)
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
