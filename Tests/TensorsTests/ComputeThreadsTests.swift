import CPUBackend
import Tensors
import XCTest
import TestSupport

/// The thread count set through `ComputeThreads` reaches the CPU backend's thread pool. (It once
/// did not: declared only in a protocol extension, `setThreadCount` dispatched to the extension's
/// no-op through the existential, and `--threads 1` ran on every core.)
final class ComputeThreadsTests: XCTestCase {
    func testThreadCountReachesTheCPUBackend() throws {
        try Backends.with(CPUBackend.shared) {
            let before = ComputeThreads.count
            defer { try? ComputeThreads.set(before) }
            for n in [1, 3, 2] {
                XCTAssertNoThrow(try ComputeThreads.set(n))
                XCTAssertEqual(ComputeThreads.count, n)
                XCTAssertEqual(Backend.current.threadCount, n, "through the protocol")
            }
        }
        XCTAssertThrowsError(try ComputeThreads.set(0))
        XCTAssertThrowsError(try ComputeThreads.set(ComputeThreads.maximum + 1))
    }
}
