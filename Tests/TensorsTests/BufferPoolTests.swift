import XCTest
import TestSupport
@testable import Tensors

/// The caching allocator: recycles freed buffers best-fit, never ties a big buffer to a small
/// request, hands out huge-page-aligned memory, and gives cached buffers back rather than let
/// live + cached memory pass the live peak.
final class BufferPoolTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    let mib = 1 << 20

    func testFreedBufferIsReusedForASlightlySmallerRequest() {
        let pool = BufferPool()
        let (p, capacity) = pool.take(bytes: 5 * mib)
        XCTAssertEqual(UInt(bitPattern: p) % UInt(2 * mib), 0, "large buffers are 2 MiB aligned")
        XCTAssertGreaterThanOrEqual(capacity, 5 * mib)
        pool.give(p, capacity: capacity)
        XCTAssertEqual(pool.cachedBytes, capacity)
        let (q, qCapacity) = pool.take(bytes: 5 * mib - 4096)
        XCTAssertEqual(q, p)
        XCTAssertEqual(qCapacity, capacity)
        XCTAssertEqual(pool.cachedBytes, 0)
        pool.give(q, capacity: qCapacity)
        pool.drain()
        XCTAssertEqual(pool.cachedBytes, 0)
    }

    /// With room under the live peak, a small request gets memory of its own size rather than tying
    /// up a big cached buffer.
    func testBigBufferIsNotTiedUpBySmallRequestWhileThereIsRoom() {
        let pool = BufferPool()
        let (p, capacity) = pool.take(bytes: 64 * mib)
        let (other, otherCapacity) = pool.take(bytes: 64 * mib)   // peak 128 MiB live
        pool.give(p, capacity: capacity)
        let (q, qCapacity) = pool.take(bytes: 2 * mib)            // 64 live + 64 cached + 2 fits under the peak
        XCTAssertNotEqual(q, p)
        XCTAssertEqual(qCapacity, 2 * mib)
        XCTAssertEqual(pool.cachedBytes, 64 * mib)
        for (b, c) in [(q, qCapacity), (other, otherCapacity)] { pool.give(b, capacity: c) }
        pool.drain()
    }

    /// Without room (fresh memory would evict cached buffers and fault in new pages, as in every
    /// training step when sizes recur in another order), a larger cached buffer serves.
    func testALargerCachedBufferServesWhereFreshMemoryWouldEvict() {
        let pool = BufferPool()
        let (p, capacity) = pool.take(bytes: 64 * mib)
        pool.give(p, capacity: capacity)
        let (q, qCapacity) = pool.take(bytes: 2 * mib)            // 0 live + 64 cached + 2 > 64 × 1.02
        XCTAssertEqual(q, p)
        XCTAssertEqual(qCapacity, 64 * mib)
        XCTAssertEqual(pool.cachedBytes, 0)
        XCTAssertLessThanOrEqual(pool.liveBytes + pool.cachedBytes, Int(Double(pool.peakLiveBytes) * 1.02))
        pool.give(q, capacity: qCapacity)
        pool.drain()
    }

    func testCacheNeverPushesLiveAndCachedPastTheLivePeak() {
        let pool = BufferPool()
        // Peak: 10 × 8 MiB live, then all freed into the cache.
        let blocks = (0..<10).map { _ in pool.take(bytes: 8 * mib) }
        XCTAssertEqual(pool.peakLiveBytes, 80 * mib)
        for (p, c) in blocks { pool.give(p, capacity: c) }
        XCTAssertEqual(pool.cachedBytes, 80 * mib)
        // A request none of them fits: enough cache is given back that the total stays at the peak.
        let (big, bigCapacity) = pool.take(bytes: 60 * mib)
        XCTAssertLessThanOrEqual(pool.liveBytes + pool.cachedBytes, Int(Double(80 * mib) * 1.02))
        XCTAssertEqual(pool.liveBytes, 60 * mib)
        pool.give(big, capacity: bigCapacity)
        pool.drain()
    }

    func testSmallRequestsBypassTheCache() {
        let pool = BufferPool()
        let (p, capacity) = pool.take(bytes: 1000)
        XCTAssertEqual(capacity, 1000)
        XCTAssertEqual(Int(bitPattern: p) % 64, 0)
        pool.give(p, capacity: capacity)
        XCTAssertEqual(pool.cachedBytes, 0)
        XCTAssertEqual(pool.liveBytes, 0)
    }
}
