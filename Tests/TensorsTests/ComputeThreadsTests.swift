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
}
