import CCUDALoader
import Foundation

/// Page-locked host buffers that uploads are staged through (`cuMemAllocHost`), so that the copy
/// to the device is a true asynchronous DMA on the backend's stream instead of the driver's
/// synchronous staging of pageable memory. A buffer is handed out again once the event recorded
/// after its copy has completed (`cuEventQuery`: no wait); the training step synchronises once
/// per loss, so the same few buffers serve every step and the step loop allocates none after
/// warm-up. Pinned memory is capped (`limitBytes`): past it the stream is drained and the cache
/// given back before a new buffer is taken.
final class PinnedStaging: @unchecked Sendable {
    /// Uploads smaller than this go straight from pageable memory: the driver's own staging is
    /// cheaper than a host copy and an event for a few values.
    static let minimumBytes = 16 << 10

    private struct Buffer {
        let address: UnsafeMutableRawPointer
        let size: Int
        let event: CUevent
    }

    private let context: CUDAContext
    private let limitBytes: Int
    private let lock = NSLock()
    private var idle: [Buffer] = []
    private var inFlight: [Buffer] = []
    private var pinnedBytes = 0
    /// `cuMemAllocHost` calls so far (a test checks the step loop makes none after warm-up).
    private(set) var allocations = 0
    /// Uploads that went through a pinned buffer.
    private(set) var uploads = 0

    init(context: CUDAContext, limitBytes: Int = 512 << 20) {
        self.context = context
        self.limitBytes = limitBytes
    }

    /// Queues the copy of `bytes` to `destination` through a pinned buffer; the caller may reuse
    /// `bytes` at once. The context must be current.
    func upload(_ bytes: UnsafeRawBufferPointer, to destination: CUdeviceptr) {
        lock.lock()
        defer { lock.unlock() }
        let buffer = acquire(bytes.count)
        buffer.address.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        let api = context.driver.api
        context.must(api.cuMemcpyHtoDAsync_v2!(destination, buffer.address, bytes.count, context.stream), "cuMemcpyHtoDAsync(pinned)")
        context.must(api.cuEventRecord!(buffer.event, context.stream), "cuEventRecord")
        inFlight.append(buffer)
        uploads += 1
    }

    /// The smallest idle buffer of at least `bytes`, after moving finished copies' buffers to the
    /// idle list; else a new one (within the cap).
    private func acquire(_ bytes: Int) -> Buffer {
        reclaim()
        if let k = idle.indices.filter({ idle[$0].size >= bytes }).min(by: { idle[$0].size < idle[$1].size }) {
            return idle.remove(at: k)
        }
        let size = DeviceAllocator.rounded(bytes)
        if pinnedBytes + size > limitBytes {
            context.synchronize()
            reclaim()
            for b in idle { release(b) }
            idle = []
        }
        var p: UnsafeMutableRawPointer?
        context.must(context.driver.api.cuMemAllocHost_v2!(&p, size), "cuMemAllocHost(\(size) bytes; \(pinnedBytes) pinned)")
        var event: CUevent?
        context.must(context.driver.api.cuEventCreate!(&event, UInt32(UNET_CU_EVENT_DISABLE_TIMING)), "cuEventCreate")
        allocations += 1
        pinnedBytes += size
        return Buffer(address: p!, size: size, event: event!)
    }

    /// Moves the buffers whose copy has finished to the idle list.
    private func reclaim() {
        var pending: [Buffer] = []
        for b in inFlight {
            let status = context.driver.api.cuEventQuery!(b.event)
            if status == 0 { idle.append(b) } else if status == UNET_CUDA_ERROR_NOT_READY { pending.append(b) } else {
                context.must(status, "cuEventQuery")
            }
        }
        inFlight = pending
    }

    private func release(_ b: Buffer) {
        context.must(context.driver.api.cuEventDestroy_v2!(b.event), "cuEventDestroy")
        context.must(context.driver.api.cuMemFreeHost!(b.address), "cuMemFreeHost")
        pinnedBytes -= b.size
    }
}
