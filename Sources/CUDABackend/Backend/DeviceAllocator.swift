import CCUDALoader
import Foundation

/// A caching device allocator: freed blocks are kept per rounded size and handed out again, so
/// that after the first training step no `cuMemAlloc` (which synchronises the device) runs in the
/// step loop. One stream orders every use, so a block freed on the host can be reused by the
/// next queued op at once (the ops that read it before are queued before). When the device runs
/// out, the cache is emptied (after a synchronisation) and the allocation tried once more.
final class DeviceAllocator: @unchecked Sendable {
    private let context: CUDAContext
    private let lock = NSLock()
    private var free: [Int: [CUdeviceptr]] = [:]
    private var cachedBytes = 0
    /// Bytes handed out now, and the most ever handed out at once (what `bench` reports).
    private(set) var liveBytes = 0
    private(set) var peakLiveBytes = 0
    /// Bytes taken from the driver (live and cached), and its peak.
    private(set) var reservedBytes = 0
    private(set) var peakReservedBytes = 0
    /// `cuMemAlloc` calls so far (a test checks the step loop makes none).
    private(set) var driverAllocations = 0

    init(context: CUDAContext) { self.context = context }

    /// Sizes are rounded up to 512 bytes below 1 MiB and to 1/8 of their power of two above, so
    /// that similar sizes share blocks while the rounding wastes at most 12.5%.
    static func rounded(_ bytes: Int) -> Int {
        let b = max(bytes, 1)
        if b <= 1 << 20 { return (b + 511) / 512 * 512 }
        let granule = 1 << (Int.bitWidth - b.leadingZeroBitCount - 4)
        return (b + granule - 1) / granule * granule
    }

    func allocate(_ bytes: Int) -> (CUdeviceptr, Int) {
        let size = Self.rounded(bytes)
        lock.lock()
        defer { lock.unlock() }
        if var blocks = free[size], let p = blocks.popLast() {
            free[size] = blocks
            cachedBytes -= size
            note(size)
            return (p, size)
        }
        context.makeCurrent()
        var p: CUdeviceptr = 0
        var result = context.driver.api.cuMemAlloc_v2!(&p, size)
        if result != 0 {
            emptyCacheLocked()
            result = context.driver.api.cuMemAlloc_v2!(&p, size)
        }
        context.must(result, "cuMemAlloc(\(size) bytes; \(liveBytes) in use, \(reservedBytes) reserved)")
        driverAllocations += 1
        reservedBytes += size
        peakReservedBytes = max(peakReservedBytes, reservedBytes)
        note(size)
        return (p, size)
    }

    private func note(_ size: Int) {
        liveBytes += size
        peakLiveBytes = max(peakLiveBytes, liveBytes)
    }

    func release(_ p: CUdeviceptr, size: Int) {
        lock.lock()
        defer { lock.unlock() }
        liveBytes -= size
        free[size, default: []].append(p)
        cachedBytes += size
    }

    /// Gives every cached block back to the driver (after the queued work that may use them).
    func emptyCache() {
        lock.lock()
        defer { lock.unlock() }
        emptyCacheLocked()
    }

    private func emptyCacheLocked() {
        context.synchronize()
        for (size, blocks) in free {
            for p in blocks { context.must(context.driver.api.cuMemFree_v2!(p), "cuMemFree"); reservedBytes -= size }
        }
        free = [:]
        cachedBytes = 0
    }

    func resetPeak() {
        lock.lock()
        defer { lock.unlock() }
        peakLiveBytes = liveBytes
        peakReservedBytes = reservedBytes
    }
}
