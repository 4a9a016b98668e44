import CCUDALoader

/// cuDNN 9 (libcudnn.so.9), its legacy imperative API. libcudnn.so.9 is a dispatcher that loads
/// its sub-libraries (libcudnn_graph, _ops, _cnn, the engines) by bare name when first used; when
/// it was found in a folder that is not on the loader's path, they are opened from there first.
public final class CuDNN: @unchecked Sendable {
    public let api: unet_cudnn
    public let library: DynamicLibrary

    public static let libraryName = "libcudnn.so.9"

    public static func load(search: LibrarySearch) throws -> CuDNN {
        let library: DynamicLibrary
        do { library = try DynamicLibrary.open([libraryName], label: libraryName, search: search) } catch let e as CUDALibraryError {
            throw CUDAError.library(e)
        }
        if let folder = library.folder {
            DynamicLibrary.preload(folder: folder, patterns: ["libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9",
                                                               "libcudnn_engines_runtime_compiled.so.9", "libcudnn_heuristic.so.9",
                                                               "libcudnn_ops.so.9", "libcudnn_cnn.so.9"])
        }
        var api = unet_cudnn()
        var missing: UnsafePointer<CChar>?
        guard unet_bind_cudnn(library.handle, &api, &missing) == 0 else {
            throw CUDAError.library(.missingSymbol(library: libraryName, path: library.path, symbol: missing.map { String(cString: $0) } ?? "?"))
        }
        return CuDNN(api: api, library: library)
    }

    init(api: unet_cudnn, library: DynamicLibrary) {
        self.api = api
        self.library = library
    }

    public func check(_ status: cudnnStatus_t, _ call: String) throws {
        guard status != 0 else { return }
        throw CUDAError.cudnn(call: call, code: status, text: api.cudnnGetErrorString!(status).map { String(cString: $0) } ?? "cuDNN error")
    }

    /// cuDNN's version as major.minor.patch (cuDNN 9 encodes it as major·10000 + minor·100 + patch).
    public var version: String {
        let v = api.cudnnGetVersion!()
        return v >= 10000 ? "\(v / 10000).\(v % 10000 / 100).\(v % 100)" : "\(v / 1000).\(v % 1000 / 100).\(v % 100)"
    }
}
