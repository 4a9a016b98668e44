#if canImport(Glibc)
import Glibc
#endif

/// A 64-byte aligned float buffer. Buffers are recycled through `BufferPool` because a training
/// step allocates the same sizes every time, and fresh large allocations cost page faults.
public final class Storage {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    init(count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.take(count)
    }

    deinit { BufferPool.shared.give(pointer, count) }
}

/// Recycles freed buffers by exact size, up to a byte budget.
final class BufferPool {
    static let shared = BufferPool()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var cachedBytes = 0
    private var lock = pthread_mutex_t()
    /// The most bytes held in free buffers; beyond it freed buffers go back to the system.
    /// `UNET_BUFFER_POOL_MB` overrides the default (for memory experiments).
    var budgetBytes: Int

    init() {
        pthread_mutex_init(&lock, nil)
        if let mb = getenv("UNET_BUFFER_POOL_MB").flatMap({ Int(String(cString: $0)) }) {
            budgetBytes = mb << 20
        } else {
            budgetBytes = 1 << 30
        }
    }

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        pthread_mutex_lock(&lock)
        if var list = free[n], let p = list.popLast() {
            free[n] = list
            cachedBytes -= n * 4
            pthread_mutex_unlock(&lock)
            return p
        }
        // A miss: give cached buffers of other sizes back first, so that the cache never adds
        // to the peak resident memory (it only saves page faults when the same sizes recur).
        var released: [UnsafeMutablePointer<Float>] = []
        var needed = n * 4
        while needed > 0, let size = free.keys.max(), var list = free[size], let p = list.popLast() {
            free[size] = list.isEmpty ? nil : list
            cachedBytes -= size * 4
            needed -= size * 4
            released.append(p)
        }
        pthread_mutex_unlock(&lock)
        for p in released { Glibc.free(p) }
        var raw: UnsafeMutableRawPointer?
        let status = posix_memalign(&raw, 64, n * MemoryLayout<Float>.stride)
        precondition(status == 0 && raw != nil, "[Storage] out of memory allocating \(n * 4) bytes")
        return raw!.bindMemory(to: Float.self, capacity: n)
    }

    func give(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        let n = max(count, 1)
        pthread_mutex_lock(&lock)
        if cachedBytes + n * 4 <= budgetBytes {
            free[n, default: []].append(p)
            cachedBytes += n * 4
            pthread_mutex_unlock(&lock)
            return
        }
        pthread_mutex_unlock(&lock)
        Glibc.free(p)
    }

    /// Returns every cached buffer to the system.
    func drain() {
        pthread_mutex_lock(&lock)
        for (_, list) in free { for p in list { Glibc.free(p) } }
        free = [:]
        cachedBytes = 0
        pthread_mutex_unlock(&lock)
    }
}
