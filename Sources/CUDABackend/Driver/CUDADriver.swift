import CCUDALoader

/// The CUDA driver API (libcuda.so.1), loaded and initialised (`cuInit`) once. Every call goes
/// through `check`, which turns an error code into a `CUDAError` naming the call.
public final class CUDADriver: @unchecked Sendable {
    public let api: unet_cuda_driver
    public let library: DynamicLibrary

    /// The soname of the driver library.
    public static let libraryName = "libcuda.so.1"

    /// Opens the driver library, binds its functions and initialises it.
    public static func load(search: LibrarySearch) throws -> CUDADriver {
        let library: DynamicLibrary
        do { library = try DynamicLibrary.open([libraryName], label: libraryName, search: search) } catch let e as CUDALibraryError {
            throw CUDAError.library(e)
        }
        var api = unet_cuda_driver()
        var missing: UnsafePointer<CChar>?
        guard unet_bind_cuda_driver(library.handle, &api, &missing) == 0 else {
            throw CUDAError.library(.missingSymbol(library: libraryName, path: library.path, symbol: missing.map { String(cString: $0) } ?? "?"))
        }
        let driver = CUDADriver(api: api, library: library)
        try driver.check(api.cuInit!(0), "cuInit")
        return driver
    }

    init(api: unet_cuda_driver, library: DynamicLibrary) {
        self.api = api
        self.library = library
    }

    /// Throws a `CUDAError.driver` for a result other than CUDA_SUCCESS.
    public func check(_ result: CUresult, _ call: String) throws {
        guard result != 0 else { return }
        var name: UnsafePointer<CChar>?, text: UnsafePointer<CChar>?
        _ = api.cuGetErrorName!(result, &name)
        _ = api.cuGetErrorString!(result, &text)
        throw CUDAError.driver(call: call, code: result, name: name.map { String(cString: $0) } ?? "CUDA error",
                               text: text.map { String(cString: $0) } ?? "unknown error")
    }

    /// The driver's CUDA version as major.minor (13000 → "13.0").
    public func version() throws -> String {
        var v: Int32 = 0
        try check(api.cuDriverGetVersion!(&v), "cuDriverGetVersion")
        return "\(v / 1000).\(v % 1000 / 10)"
    }

    public func deviceCount() throws -> Int {
        var n: Int32 = 0
        try check(api.cuDeviceGetCount!(&n), "cuDeviceGetCount")
        return Int(n)
    }

    /// The device handle of `ordinal`, checked against the device count.
    public func device(_ ordinal: Int) throws -> CUdevice {
        let count = try deviceCount()
        guard ordinal >= 0 && ordinal < count else { throw CUDAError.noSuchDevice(ordinal: ordinal, count: count) }
        var d: CUdevice = 0
        try check(api.cuDeviceGet!(&d, Int32(ordinal)), "cuDeviceGet")
        return d
    }

    public func attribute(_ attribute: Int32, of device: CUdevice) throws -> Int {
        var v: Int32 = 0
        try check(api.cuDeviceGetAttribute!(&v, attribute, device), "cuDeviceGetAttribute")
        return Int(v)
    }
}
