import CCUDALoader
import Foundation
import Tensors

/// The CUDA backend: every tensor lives in device memory from a caching allocator, every op is
/// queued on one stream (host copies synchronise it; nothing else does), convolutions run in
/// cuDNN with the algorithm chosen by measurement once per shape, and everything else in the
/// NVRTC kernels of `KernelSource`. Activations are NCHW under fp32 and NHWC under tf32 and bf16
/// (`activationLayout`).
///
/// Nothing of CUDA is touched until `open` is called: a machine without a GPU builds and runs
/// the same binary.
public final class CUDABackend: ComputeBackend, @unchecked Sendable {
    public let name: String
    public let device: Device
    let context: CUDAContext
    let allocator: DeviceAllocator
    let staging: PinnedStaging
    let cudnn: CuDNN
    let handle: cudnnHandle_t
    /// fp32 (strict: FMA math), tf32 (TF32 tensor cores) or bf16 (bfloat16 operands): `--precision`.
    public private(set) var convolutionPrecision = Precision.fp32
    let convolutionPlans = ConvolutionPlans()
    /// The activations' layout when fixed (`UNET_CUDA_LAYOUT=nchw|nhwc`, or a test); nil: by precision
    /// (`activationLayout`).
    public var layoutChoice: Layout? = ProcessInfo.processInfo.environment["UNET_CUDA_LAYOUT"].flatMap {
        $0 == "nhwc" ? .channelsLast : $0 == "nchw" ? .plain : nil
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var opened: [String: CUDABackend] = [:]

    /// The backend of GPU `ordinal` (one per ordinal per process), or why there is none.
    public static func open(ordinal: Int) throws -> CUDABackend {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(ordinal)"
        if let b = opened[key] { return b }
        let driver = try CUDALibraries.driver.get()
        let nvrtc = try CUDALibraries.nvrtc.get()
        let cudnn = try CUDALibraries.cudnn.get()
        let b = try CUDABackend(driver: driver, nvrtc: nvrtc, cudnn: cudnn, ordinal: ordinal)
        opened[key] = b
        return b
    }

    init(driver: CUDADriver, nvrtc: NVRTC, cudnn: CuDNN, ordinal: Int) throws {
        context = try CUDAContext(driver: driver, nvrtc: nvrtc, ordinal: ordinal)
        allocator = DeviceAllocator(context: context)
        staging = PinnedStaging(context: context)
        self.cudnn = cudnn
        var h: cudnnHandle_t?
        try cudnn.check(cudnn.api.cudnnCreate!(&h), "cudnnCreate")
        handle = h!
        try cudnn.check(cudnn.api.cudnnSetStream!(handle, context.stream), "cudnnSetStream")
        device = .cuda(ordinal)
        name = "cuda:\(ordinal) (\(context.name), cuDNN \(cudnn.version))"
    }

    /// tf32 and bf16 need tensor cores that compute them: compute capability 8.0 (Ampere) or later.
    public func setConvolutionPrecision(_ precision: Precision) throws {
        let (major, minor) = context.computeCapability
        if precision != .fp32 && major < 8 {
            throw PrecisionUnavailable("\(context.name) (compute capability \(major).\(minor)) has no \(precision) tensor cores; they need 8.0 (Ampere) or later")
        }
        convolutionPrecision = precision
    }

    /// The GPU's name as the driver reports it.
    public var gpuName: String { context.name }
    /// The most device memory the backend's tensors held at once since the last reset, in bytes.
    public var peakMemoryBytes: Int { allocator.peakLiveBytes }
    /// The most device memory taken from the driver (held tensors and the allocator's cache).
    public var peakReservedBytes: Int { allocator.peakReservedBytes }
    /// `cuMemAlloc` calls so far.
    public var driverAllocations: Int { allocator.driverAllocations }
    /// Times the host waited for the stream (`cuStreamSynchronize`) so far.
    public var hostSynchronizations: Int { context.synchronizations }
    /// `cuMemAllocHost` calls so far (pinned staging buffers), and uploads staged through them.
    public var pinnedAllocations: Int { staging.allocations }
    public var pinnedUploads: Int { staging.uploads }
    public func resetPeakMemory() { allocator.resetPeak() }
    public var deviceMemory: DeviceMemory? {
        DeviceMemory(freeBytes: freeMemoryBytes, peakLiveBytes: peakMemoryBytes, peakReservedBytes: peakReservedBytes)
    }

    /// The device's free memory now (the driver's count; the allocator's cache counts as used), or nil.
    public var freeMemoryBytes: Int? {
        var free = 0, total = 0
        context.makeCurrent()
        return context.driver.api.cuMemGetInfo_v2!(&free, &total) == 0 ? free : nil
    }

    /// Stops on a cuDNN error, naming the call (the protocol's methods cannot throw).
    func must(_ status: cudnnStatus_t, _ call: @autoclosure () -> String) {
        guard status != 0 else { return }
        do { try cudnn.check(status, call()) } catch { fatalError("[cuda:\(context.ordinal)] \(error)") }
    }

    // MARK: memory

    public func allocate(byteCount: Int) -> Storage {
        let (p, size) = allocator.allocate(byteCount)
        let allocator = self.allocator
        return Storage(device: device, byteCount: byteCount, address: UnsafeMutableRawPointer(bitPattern: UInt(p))!) { address in
            allocator.release(CUdeviceptr(UInt(bitPattern: address)), size: size)
        }
    }

    /// A new tensor in this backend's memory (whichever backend is current).
    func tensor(_ shape: Shape, dtype: DType = .float32, layout: Layout = .plain) -> Tensor {
        Tensor(shape: shape, layout: layout, dtype: dtype, storage: allocate(byteCount: shape.count * dtype.byteSize))
    }

    /// A tensor's device address (0 for nil), checked to be this device's memory.
    func address(_ t: Tensor?) -> CUdeviceptr {
        guard let t else { return 0 }
        precondition(t.device == device, "[\(device)] a tensor in \(t.device) memory reached the CUDA backend")
        return CUdeviceptr(UInt(bitPattern: t.storage.address))
    }

    func address(_ s: Storage) -> CUdeviceptr {
        precondition(s.device == device, "[\(device)] storage in \(s.device) memory reached the CUDA backend")
        return CUdeviceptr(UInt(bitPattern: s.address))
    }

    public func copyToHost(_ storage: Storage, byteOffset: Int, into: UnsafeMutableRawBufferPointer) {
        precondition(byteOffset >= 0 && byteOffset + into.count <= storage.byteCount, "[\(device)] copyToHost out of range")
        guard let base = into.baseAddress, into.count > 0 else { return }
        context.makeCurrent()
        context.must(context.driver.api.cuMemcpyDtoHAsync_v2!(base, address(storage) + CUdeviceptr(byteOffset), into.count, context.stream),
                     "cuMemcpyDtoHAsync")
        context.synchronize()
    }

    public func copyFromHost(_ bytes: UnsafeRawBufferPointer, into storage: Storage, byteOffset: Int) {
        precondition(byteOffset >= 0 && byteOffset + bytes.count <= storage.byteCount, "[\(device)] copyFromHost out of range")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        context.makeCurrent()
        // Batches and other large uploads: an asynchronous copy from a pinned buffer.
        if bytes.count >= PinnedStaging.minimumBytes {
            staging.upload(bytes, to: address(storage) + CUdeviceptr(byteOffset))
            return
        }
        // From pageable memory the driver stages the bytes before returning: the caller may reuse them.
        context.must(context.driver.api.cuMemcpyHtoDAsync_v2!(address(storage) + CUdeviceptr(byteOffset), base, bytes.count, context.stream),
                     "cuMemcpyHtoDAsync")
    }

    public func synchronize() {
        context.makeCurrent()
        context.synchronize()
    }

    /// Host values copied to a new device tensor.
    func upload<T>(_ values: [T], shape: Shape, dtype: DType) -> Tensor {
        let t = tensor(shape, dtype: dtype)
        values.withUnsafeBytes { copyFromHost($0, into: t.storage, byteOffset: 0) }
        return t
    }

    /// `count` values of type T from device storage, through this backend (not `Backend.current`,
    /// which need not be this one while a recorded pullback runs). Synchronises.
    func download<T>(_ storage: Storage, count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialised in
            copyToHost(storage, byteOffset: 0, into: UnsafeMutableRawBufferPointer(buffer))
            initialised = count
        }
    }

    func download(_ storage: Storage, doubles count: Int) -> [Double] { download(storage, count: count) }

    /// A scratch buffer of `count` doubles (or u64 counters) in device memory.
    func scratch(doubles count: Int) -> Storage { allocate(byteCount: max(1, count) * 8) }

    func zero(_ s: Storage, bytes: Int) {
        context.makeCurrent()
        context.must(context.driver.api.cuMemsetD8Async!(address(s), 0, bytes, context.stream), "cuMemsetD8Async")
    }

    /// Launches an elementwise kernel over `count` elements.
    func launch(_ kernel: String, _ source: KernelSource, count: Int, _ arguments: [CUDAContext.Argument]) {
        context.makeCurrent()
        context.launch(kernel, in: source, grid: context.blocks(for: count), arguments)
    }
}
