import Foundation
import CCUDALoader

/// What this machine offers for CUDA: the driver, its GPUs, cuDNN and NVRTC, or why each is
/// missing. `unet info --devices` prints it; `--device auto` uses it to decide.
public struct CUDADeviceInventory: Sendable {
    /// One GPU as the driver reports it.
    public struct GPU: Sendable {
        public let ordinal: Int
        public let name: String
        public let totalBytes: Int
        /// Free memory, read in the device's primary context (nil when that failed).
        public let freeBytes: Int?
        public let computeCapability: (major: Int, minor: Int)
        public let multiprocessors: Int
    }

    /// The driver's CUDA version and where it was loaded from, or why there is none.
    public let driver: Result<(version: String, path: String), CUDAError>
    public let gpus: [GPU]
    /// Why the GPUs could not be listed (the driver loaded but failed), if so.
    public let gpuProblem: CUDAError?
    public let cudnn: Result<(version: String, path: String), CUDAError>
    public let nvrtc: Result<(version: String, path: String), CUDAError>

    /// Whether `--device cuda` can work here: a GPU, cuDNN and NVRTC.
    public var usable: Bool {
        if case .success = cudnn, case .success = nvrtc { return !gpus.isEmpty }
        return false
    }

    /// The first reason the CUDA backend cannot run here, or nil.
    public var problem: String? {
        if case .failure(let e) = driver { return e.description }
        if let gpuProblem { return gpuProblem.description }
        if gpus.isEmpty { return "the NVIDIA driver sees no GPU" }
        if case .failure(let e) = cudnn { return e.description }
        if case .failure(let e) = nvrtc { return e.description }
        return nil
    }

    /// The first error that keeps the CUDA backend from running here, when it is a library's or the driver's.
    public var error: CUDAError? {
        if case .failure(let e) = driver { return e }
        if let gpuProblem { return gpuProblem }
        if gpus.isEmpty { return nil }
        if case .failure(let e) = cudnn { return e }
        if case .failure(let e) = nvrtc { return e }
        return nil
    }

    /// Probes the libraries of this process (`CUDALibraries`).
    public static func probe() -> CUDADeviceInventory {
        probe(driver: CUDALibraries.driver, cudnn: CUDALibraries.cudnn, nvrtc: CUDALibraries.nvrtc)
    }

    static func probe(driver: Result<CUDADriver, CUDAError>, cudnn: Result<CuDNN, CUDAError>, nvrtc: Result<NVRTC, CUDAError>) -> CUDADeviceInventory {
        var gpus: [GPU] = [], gpuProblem: CUDAError?
        var driverInfo: Result<(version: String, path: String), CUDAError>
        switch driver {
        case .failure(let e): driverInfo = .failure(e)
        case .success(let d):
            driverInfo = .success(((try? d.version()) ?? "?", d.library.path))
            do {
                for ordinal in 0..<(try d.deviceCount()) { gpus.append(try gpu(ordinal, d)) }
            } catch {
                gpuProblem = error as? CUDAError ?? .driver(call: "probe", code: -1, name: "error", text: "\(error)")
            }
        }
        return CUDADeviceInventory(
            driver: driverInfo, gpus: gpus, gpuProblem: gpuProblem,
            cudnn: cudnn.map { ($0.version, $0.library.path) },
            nvrtc: nvrtc.flatMap { n in Result { (try n.version(), n.library.path) }.mapError { $0 as? CUDAError ?? .nvrtc(call: "nvrtcVersion", code: -1, text: "\($0)") } })
    }

    static func gpu(_ ordinal: Int, _ d: CUDADriver) throws -> GPU {
        let device = try d.device(ordinal)
        var name = [CChar](repeating: 0, count: 256)
        try d.check(d.api.cuDeviceGetName!(&name, Int32(name.count), device), "cuDeviceGetName")
        var total = 0
        try d.check(d.api.cuDeviceTotalMem_v2!(&total, device), "cuDeviceTotalMem")
        let major = try d.attribute(Int32(UNET_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR), of: device)
        let minor = try d.attribute(Int32(UNET_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), of: device)
        let sms = try d.attribute(Int32(UNET_CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), of: device)
        // Free memory needs a context: the primary one, released again.
        var free: Int?
        var context: CUcontext?
        if d.api.cuDevicePrimaryCtxRetain!(&context, device) == 0 {
            if d.api.cuCtxSetCurrent!(context) == 0 {
                var f = 0, t = 0
                if d.api.cuMemGetInfo_v2!(&f, &t) == 0 { free = f }
                _ = d.api.cuCtxSetCurrent!(nil)
            }
            _ = d.api.cuDevicePrimaryCtxRelease_v2!(device)
        }
        return GPU(ordinal: ordinal, name: String(cString: name), totalBytes: total, freeBytes: free,
                   computeCapability: (major, minor), multiprocessors: sms)
    }

    /// The listing `unet info --devices` prints, one line per item.
    public var lines: [String] {
        func gib(_ b: Int) -> String { String(format: "%.1f GiB", Double(b) / 1_073_741_824) }
        var out: [String] = []
        switch driver {
        case .success(let d): out.append("cuda driver  CUDA \(d.version) (\(d.path))")
        case .failure(let e): out.append("cuda driver  none: \(e)")
        }
        if let gpuProblem { out.append("cuda gpus    none: \(gpuProblem)") }
        for g in gpus {
            let free = g.freeBytes.map { ", \(gib($0)) free" } ?? ""
            out.append("cuda:\(g.ordinal)       \(g.name), \(gib(g.totalBytes)) memory\(free), compute capability \(g.computeCapability.major).\(g.computeCapability.minor), \(g.multiprocessors) multiprocessors")
        }
        if case .success = driver, gpuProblem == nil, gpus.isEmpty { out.append("cuda gpus    none: the driver sees no GPU") }
        switch cudnn {
        case .success(let c): out.append("cudnn        \(c.version) (\(c.path))")
        case .failure(let e): out.append("cudnn        none: \(e)")
        }
        switch nvrtc {
        case .success(let n): out.append("nvrtc        \(n.version) (\(n.path))")
        case .failure(let e): out.append("nvrtc        none: \(e)")
        }
        return out
    }
}
