import CCUDALoader
import Foundation

/// NVRTC, the run-time CUDA C compiler (libnvrtc.so.13 or .12). It needs no GPU, so kernel
/// sources can be compiled (and tested) on any machine that has the library.
public final class NVRTC: @unchecked Sendable {
    public let api: unet_nvrtc
    public let library: DynamicLibrary

    /// The sonames tried, newest first.
    public static let libraryNames = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"]

    /// What a source is compiled to: PTX for a virtual architecture (compute_XY, JIT-compiled by
    /// the driver), or a cubin for a real one (sm_XY, loaded as is: no dependence on the
    /// driver's PTX version).
    public enum Target: Hashable, CustomStringConvertible, Sendable {
        case ptx(major: Int, minor: Int)
        case cubin(major: Int, minor: Int)

        public var description: String {
            switch self {
            case .ptx(let major, let minor): return "compute_\(major)\(minor)"
            case .cubin(let major, let minor): return "sm_\(major)\(minor)"
            }
        }
    }

    public static func load(search: LibrarySearch) throws -> NVRTC {
        let library: DynamicLibrary
        do { library = try DynamicLibrary.open(libraryNames, label: "libnvrtc.so (NVRTC 12 or 13)", search: search) } catch let e as CUDALibraryError {
            throw CUDAError.library(e)
        }
        // NVRTC loads its builtins library by bare name; open it first from the same folder.
        if let folder = library.folder { DynamicLibrary.preload(folder: folder, patterns: ["libnvrtc-builtins.so.*"]) }
        var api = unet_nvrtc()
        var missing: UnsafePointer<CChar>?
        guard unet_bind_nvrtc(library.handle, &api, &missing) == 0 else {
            throw CUDAError.library(.missingSymbol(library: library.path, path: library.path, symbol: missing.map { String(cString: $0) } ?? "?"))
        }
        return NVRTC(api: api, library: library)
    }

    init(api: unet_nvrtc, library: DynamicLibrary) {
        self.api = api
        self.library = library
    }

    public func check(_ result: nvrtcResult, _ call: String) throws {
        guard result != 0 else { return }
        throw CUDAError.nvrtc(call: call, code: result, text: api.nvrtcGetErrorString!(result).map { String(cString: $0) } ?? "NVRTC error")
    }

    /// NVRTC's version, major.minor.
    public func version() throws -> String {
        var major: Int32 = 0, minor: Int32 = 0
        try check(api.nvrtcVersion!(&major, &minor), "nvrtcVersion")
        return "\(major).\(minor)"
    }

    /// Compiles `source` for `target`; the image (PTX text with its NUL, or cubin bytes) is what
    /// `cuModuleLoadData` takes. A compile error throws `CUDAError.compilation` with the log.
    public func compile(_ source: KernelSource, for target: Target) throws -> [UInt8] {
        var program: nvrtcProgram?
        try check(api.nvrtcCreateProgram!(&program, source.fullCode, source.name + ".cu", 0, nil, nil), "nvrtcCreateProgram")
        defer { _ = api.nvrtcDestroyProgram!(&program) }
        let options = ["--gpu-architecture=\(target)", "--std=c++17", "--device-as-default-execution-space"]
        let cOptions = options.map { strdup($0) }
        defer { cOptions.forEach { free($0) } }
        let result = cOptions.map { UnsafePointer($0) }.withUnsafeBufferPointer {
            api.nvrtcCompileProgram!(program, Int32(options.count), $0.baseAddress)
        }
        if result != 0 {
            var size = 0
            _ = api.nvrtcGetProgramLogSize!(program, &size)
            var log = [CChar](repeating: 0, count: max(size, 1))
            _ = api.nvrtcGetProgramLog!(program, &log)
            let text = String(cString: log).trimmingCharacters(in: .whitespacesAndNewlines)
            let reason = api.nvrtcGetErrorString!(result).map { String(cString: $0) } ?? "error \(result)"
            throw CUDAError.compilation(source: source.name, target: target.description, log: text.isEmpty ? reason : text)
        }
        var size = 0
        var image: [UInt8]
        switch target {
        case .ptx:
            try check(api.nvrtcGetPTXSize!(program, &size), "nvrtcGetPTXSize")
            image = [UInt8](repeating: 0, count: size)
            try image.withUnsafeMutableBufferPointer { b in
                try b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: size) { try check(api.nvrtcGetPTX!(program, $0), "nvrtcGetPTX") }
            }
        case .cubin:
            try check(api.nvrtcGetCUBINSize!(program, &size), "nvrtcGetCUBINSize")
            image = [UInt8](repeating: 0, count: size)
            try image.withUnsafeMutableBufferPointer { b in
                try b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: size) { try check(api.nvrtcGetCUBIN!(program, $0), "nvrtcGetCUBIN") }
            }
        }
        return image
    }
}

/// Compiled kernel images, per process: each (source, target) is compiled once.
public final class KernelImageCache: @unchecked Sendable {
    private let lock = NSLock()
    private var images: [String: [UInt8]] = [:]
    let compiler: NVRTC
    /// Compilations so far (each (source, target) once): what a test of the cache counts.
    public private(set) var compilations = 0

    public init(compiler: NVRTC) { self.compiler = compiler }

    public func image(_ source: KernelSource, for target: NVRTC.Target) throws -> [UInt8] {
        let key = "\(source.name)@\(target)"
        lock.lock()
        defer { lock.unlock() }
        if let cached = images[key] { return cached }
        let image = try compiler.compile(source, for: target)
        compilations += 1
        images[key] = image
        return image
    }
}
