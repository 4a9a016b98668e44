import Datasets
import Foundation
import XCTest

/// The prefetcher hands out every step's batch in order whatever the number of workers, and
/// never runs more than `depth` steps ahead of the consumer.
final class BatchPrefetcherTests: XCTestCase {
    final class Record: @unchecked Sendable {
        let lock = NSLock()
        var started = 0
        var consumed = 0
        var mostAhead = 0
        var threads = Set<String>()
    }

    func consume(workers: Int, depth: Int, steps: Int) throws -> Record {
        let record = Record()
        let prefetcher = BatchPrefetcher(from: 5, to: 5 + steps, depth: depth, workers: workers) { step in
            record.lock.lock()
            record.started += 1
            record.mostAhead = max(record.mostAhead, record.started - record.consumed)
            record.threads.insert("\(ObjectIdentifier(Thread.current))")
            record.lock.unlock()
            // Uneven work, so that workers finish out of order.
            usleep(UInt32((step * 7919) % 5) * 400)
            return Batch(inputs: [Float(step)], targets: [Int32(step)], weights: nil, size: 1, channels: 1, inputSize: 1, outputSize: 1)
        }
        defer { prefetcher.stop() }
        for step in 5..<(5 + steps) {
            let b = try prefetcher.batch(step: step)
            XCTAssertEqual(b.inputs, [Float(step)], "step \(step) with \(workers) workers")
            record.lock.lock()
            record.consumed += 1
            record.lock.unlock()
        }
        return record
    }

    func testBatchesComeInOrderWithOneOrManyWorkers() throws {
        for workers in [1, 4] {
            let r = try consume(workers: workers, depth: 6, steps: 40)
            XCTAssertEqual(r.started, 40)
            // + 1: the test counts a batch as consumed just after the prefetcher has.
            XCTAssertLessThanOrEqual(r.mostAhead, 6 + 1, "\(workers) workers ran more than depth steps ahead")
            if workers > 1 { XCTAssertGreaterThan(r.threads.count, 1, "several workers produced") }
        }
    }

    func testAnErrorReachesTheConsumerAtItsStep() {
        let prefetcher = BatchPrefetcher(from: 0, to: 4, depth: 2, workers: 3) { step in
            struct Broken: Error {}
            if step == 2 { throw Broken() }
            return Batch(inputs: [0], targets: [0], weights: nil, size: 1, channels: 1, inputSize: 1, outputSize: 1)
        }
        defer { prefetcher.stop() }
        XCTAssertNoThrow(try prefetcher.batch(step: 0))
        XCTAssertNoThrow(try prefetcher.batch(step: 1))
        XCTAssertThrowsError(try prefetcher.batch(step: 2))
    }
}
