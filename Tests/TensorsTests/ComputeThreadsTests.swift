import CPUBackend
import Foundation
@testable import Tensors
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

/// The default thread count: the cores this process may use, not the machine's.
final class UsableCoresTests: XCTestCase {
    func testCgroupQuotaIsRoundedUpToWholeCores() {
        XCTAssertNil(UsableCores.cores(fromCPUMax: "max 100000\n"), "no quota")
        XCTAssertEqual(UsableCores.cores(fromCPUMax: "200000 100000\n"), 2)
        XCTAssertEqual(UsableCores.cores(fromCPUMax: "150000 100000"), 2, "1.5 cores: two threads, each used part-time")
        XCTAssertEqual(UsableCores.cores(fromCPUMax: "50000 100000"), 1)
        XCTAssertNil(UsableCores.cores(fromCPUMax: "garbage"))
        XCTAssertNil(UsableCores.cores(quota: "-1", period: "100000"), "cgroup v1's 'no quota'")
        XCTAssertEqual(UsableCores.cores(quota: "400000\n", period: "100000\n"), 4)
    }

    func testAffinityMaskIsCountedFromProcStatus() {
        let status = "Name:\tunet\nCpus_allowed:\t00000000,0000000f\nCpus_allowed_list:\t0-3\n"
        XCTAssertEqual(UsableCores.cpus(fromStatus: status), 4)
        XCTAssertEqual(UsableCores.cpus(fromStatus: "Cpus_allowed:\t1\n"), 1)
        XCTAssertEqual(UsableCores.cpus(fromStatus: "Cpus_allowed:\tffffffff,ffffffff\n"), 64)
        XCTAssertNil(UsableCores.cpus(fromStatus: "Name:\tunet\n"))
        // Here: at least one, at most the machine's CPUs.
        XCTAssertGreaterThanOrEqual(UsableCores.count, 1)
        XCTAssertLessThanOrEqual(UsableCores.count, ProcessInfo.processInfo.processorCount)
    }

    func testBusyCoresAreCountedFromTwoProcStatSnapshots() {
        let before = "cpu  300 0 100 600 0 0 0 0 0 0\ncpu0 100 0 50 350 0 0 0 0 0 0\ncpu1 200 0 50 250 0 0 0 0 0 0\nintr 1 2 3\n"
        // cpu0: 10 busy of 100; cpu1: 90 busy of 100 (80 user, 5 system, 5 steal); cpu2 not allowed.
        let after = "cpu  400 0 110 700 0 0 0 0 0 0\ncpu0 105 0 55 440 0 0 0 0 0 0\ncpu1 280 0 55 255 0 0 0 5 0 0\n"
        XCTAssertEqual(UsableCores.busyCPUs(before: before, after: after, among: [0, 1]), 1)
        XCTAssertEqual(UsableCores.busyCPUs(before: before, after: after, among: [0]), 0)
        XCTAssertEqual(UsableCores.busyCPUs(before: before, after: before, among: [0, 1]), 0, "no time passed")
        XCTAssertEqual(UsableCores.cpuList("0-3,8,10-11\n"), [0, 1, 2, 3, 8, 10, 11])
        XCTAssertNil(UsableCores.cpuList("x"))
        XCTAssertGreaterThanOrEqual(UsableCores.idleCount(sample: 0.05), 1)
        XCTAssertLessThanOrEqual(UsableCores.idleCount(sample: 0.05), UsableCores.count)
    }
}
