import CCUDALoader
import Foundation

/// One GPU as the backend uses it: its primary context, the one stream every operation is
/// queued on (in order: no per-op synchronisation), and the kernels compiled for it (NVRTC,
/// a cubin for the device's own architecture, loaded once per source).
final class CUDAContext: @unchecked Sendable {
    let driver: CUDADriver
    let ordinal: Int
    let device: CUdevice
    let context: CUcontext
    let stream: CUstream
    let name: String
    let computeCapability: (major: Int, minor: Int)
    let multiprocessors: Int
    private let images: KernelImageCache
    private var modules: [String: CUmodule] = [:]
    private var functions: [String: CUfunction] = [:]
    private var signatures: [String: [KernelParameter]] = [:]
    private let lock = NSLock()

    init(driver: CUDADriver, nvrtc: NVRTC, ordinal: Int) throws {
        self.driver = driver
        self.ordinal = ordinal
        device = try driver.device(ordinal)
        var c: CUcontext?
        try driver.check(driver.api.cuDevicePrimaryCtxRetain!(&c, device), "cuDevicePrimaryCtxRetain")
        guard let c else { throw CUDAError.driver(call: "cuDevicePrimaryCtxRetain", code: -1, name: "null context", text: "no context returned") }
        context = c
        try driver.check(driver.api.cuCtxSetCurrent!(c), "cuCtxSetCurrent")
        var s: CUstream?
        try driver.check(driver.api.cuStreamCreate!(&s, UInt32(UNET_CU_STREAM_NON_BLOCKING)), "cuStreamCreate")
        stream = s!
        var raw = [CChar](repeating: 0, count: 256)
        try driver.check(driver.api.cuDeviceGetName!(&raw, Int32(raw.count), device), "cuDeviceGetName")
        name = String(cString: raw)
        computeCapability = (try driver.attribute(Int32(UNET_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR), of: device),
                             try driver.attribute(Int32(UNET_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), of: device))
        multiprocessors = try driver.attribute(Int32(UNET_CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), of: device)
        images = KernelImageCache(compiler: nvrtc)
    }

    /// Makes the context current on the calling thread (cheap; ops may come from any thread).
    func makeCurrent() {
        must(driver.api.cuCtxSetCurrent!(context), "cuCtxSetCurrent")
    }

    /// Stops the program on a driver error: the protocol's methods cannot throw, and a failed
    /// launch or copy leaves the device's results undefined. The message names the call.
    func must(_ result: CUresult, _ call: @autoclosure () -> String) {
        guard result != 0 else { return }
        do { try driver.check(result, call()) } catch { fatalError("[cuda:\(ordinal)] \(error)") }
    }

    /// Host waits for the stream so far (what a CUDA graph of the step would have to be free of).
    private(set) var synchronizations = 0

    func synchronize() {
        synchronizations += 1
        must(driver.api.cuStreamSynchronize!(stream), "cuStreamSynchronize")
    }

    /// The compiled kernel `kernel` of `source` (compiled and loaded on first use).
    func function(_ kernel: String, in source: KernelSource) -> CUfunction {
        lock.lock()
        defer { lock.unlock() }
        if let f = functions[kernel] { return f }
        let module: CUmodule
        if let m = modules[source.name] {
            module = m
        } else {
            let image: [UInt8]
            do {
                image = try images.image(source, for: .cubin(major: computeCapability.major, minor: computeCapability.minor))
            } catch { fatalError("[cuda:\(ordinal)] \(error)") }
            var m: CUmodule?
            image.withUnsafeBytes { must(driver.api.cuModuleLoadData!(&m, $0.baseAddress), "cuModuleLoadData(\(source.name))") }
            module = m!
            modules[source.name] = module
        }
        var f: CUfunction?
        must(driver.api.cuModuleGetFunction!(&f, module, kernel), "cuModuleGetFunction(\(kernel))")
        functions[kernel] = f!
        return f!
    }

    /// A kernel argument: a device address, an int, a long or a float (the kernels' C types).
    enum Argument {
        case pointer(CUdeviceptr)
        case int(Int32)
        case long(Int64)
        case float(Float)
        case u64(UInt64)
        case f64(Double)

        var kind: KernelParameter {
            switch self {
            case .pointer: return .pointer
            case .int: return .int
            case .long: return .long
            case .float: return .float
            case .u64: return .u64
            case .f64: return .f64
            }
        }
    }

    /// Stops unless `arguments` match the kernel's declared parameters (count and kinds).
    func checkArguments(_ kernel: String, in source: KernelSource, _ arguments: [Argument]) {
        lock.lock()
        let known = signatures[kernel]
        lock.unlock()
        let signature: [KernelParameter]
        if let known { signature = known } else {
            guard let parsed = source.parameters(of: kernel) else { fatalError("[cuda] no kernel \(kernel) in the source '\(source.name)'") }
            lock.lock(); signatures[kernel] = parsed; lock.unlock()
            signature = parsed
        }
        let given = arguments.map(\.kind)
        precondition(given == signature, "[cuda] \(kernel) takes (\(signature.map(\.description).joined(separator: ", "))), launched with (\(given.map(\.description).joined(separator: ", ")))")
    }

    /// Queues `kernel` on the stream: `grid` blocks of `block` threads (1-D unless gridY > 1).
    func launch(_ kernel: String, in source: KernelSource, grid: Int, gridY: Int = 1, block: Int = 256, _ arguments: [Argument]) {
        checkArguments(kernel, in: source, arguments)
        let f = function(kernel, in: source)
        let slots = UnsafeMutableRawPointer.allocate(byteCount: max(1, arguments.count) * 8, alignment: 8)
        defer { slots.deallocate() }
        var pointers: [UnsafeMutableRawPointer?] = []
        for (k, a) in arguments.enumerated() {
            let slot = slots + 8 * k
            switch a {
            case .pointer(let p): slot.storeBytes(of: p, as: UInt64.self)
            case .int(let v): slot.storeBytes(of: v, as: Int32.self)
            case .long(let v): slot.storeBytes(of: v, as: Int64.self)
            case .float(let v): slot.storeBytes(of: v, as: Float.self)
            case .u64(let v): slot.storeBytes(of: v, as: UInt64.self)
            case .f64(let v): slot.storeBytes(of: v, as: Double.self)
            }
            pointers.append(slot)
        }
        pointers.withUnsafeMutableBufferPointer { p in
            must(driver.api.cuLaunchKernel!(f, UInt32(max(1, grid)), UInt32(max(1, gridY)), 1, UInt32(block), 1, 1, 0, stream,
                                            p.baseAddress, nil), "cuLaunchKernel(\(kernel))")
        }
    }

    /// Blocks for a grid-stride loop over `count` elements: enough to fill the GPU, no more.
    func blocks(for count: Int, block: Int = 256) -> Int {
        max(1, min((count + block - 1) / block, multiprocessors * 16))
    }
}
