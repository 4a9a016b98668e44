import Foundation
import XCTest
import TestSupport
@testable import Tensors

/// The tape's "gradient final" hook (data-parallel training starts communicating a gradient
/// there) and its per-thread recording.
final class TapeHookTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// w1 is used by two nodes (the first and the last in forward order), w2 by one in between:
    /// w2 is final first, w1 only after its earlier use has run, each reported once, with the
    /// gradient it ends the pass with.
    func testLeafIsReportedOnceAfterItsLastContribution() {
        let w1 = Tensor(shape: Shape(2, 3), scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        let w2 = Tensor(shape: Shape(2, 3), scalars: [0.5, -1, 2, 0, 1, 3], requiresGrad: true)
        for pass in 1...2 {   // counting starts afresh in each pass; gradients accumulate
            let tape = Tape()
            let out = tape.record { ((w1 * 2) + w2) + w1 }   // nodes: w1·2, +w2, +w1
            var reported: [(String, [Float])] = []
            tape.backward(from: out) { leaf in
                reported.append((leaf === w1 ? "w1" : leaf === w2 ? "w2" : "?", leaf.grad!.scalars))
            }
            XCTAssertEqual(reported.map(\.0), ["w2", "w1"], "pass \(pass)")
            XCTAssertEqual(reported.first { $0.0 == "w1" }?.1, w1.grad!.scalars, "w1 was reported before its last contribution")
            XCTAssertEqual(reported.first { $0.0 == "w2" }?.1, w2.grad!.scalars)
            XCTAssertEqual(w1.grad!.scalars, Array(repeating: Float(3 * pass), count: 6))
            XCTAssertEqual(w2.grad!.scalars, Array(repeating: Float(pass), count: 6))
        }
    }

    /// A leaf given twice to one node counts as two uses of that node; one whose branch the
    /// gradient never reaches is still reported once its (skipped) node has been passed.
    func testDoubleInputAndUnreachedBranch() {
        let w = Tensor(shape: Shape(4), scalars: [1, 2, 3, 4], requiresGrad: true)
        let unused = Tensor(shape: Shape(4), scalars: [1, 1, 1, 1], requiresGrad: true)
        let tape = Tape()
        let out = tape.record { () -> Tensor in
            _ = unused * 3          // recorded, but not on the path to `out`
            return w + w
        }
        var reported: [ObjectIdentifier] = []
        tape.backward(from: out) { reported.append(ObjectIdentifier($0)) }
        XCTAssertEqual(reported, [ObjectIdentifier(w), ObjectIdentifier(unused)])
        XCTAssertEqual(w.grad!.scalars, [2, 2, 2, 2])
        XCTAssertNil(unused.grad)
    }

    /// Each thread has its own recording tape: two threads record at once into their own tapes,
    /// and a thread that records nothing sees no tape.
    func testRecordingIsPerThread() {
        let w = Tensor(shape: Shape(3), scalars: [1, 2, 3], requiresGrad: true)
        let tape = Tape()
        let counts = LockedCounts()
        tape.record {
            let group = DispatchGroup()
            for k in 0..<2 {
                group.enter()
                Thread {
                    counts.set(k, recordingBefore: Tape.isRecording)
                    let own = Tape()
                    own.record { for _ in 0...k { _ = w * 2 } }
                    counts.set(k, nodes: own.count)
                    group.leave()
                }.start()
            }
            group.wait()
            _ = w * 2
        }
        XCTAssertEqual(tape.count, 1, "the other threads' ops went to their own tapes")
        XCTAssertEqual(counts.nodes, [0: 1, 1: 2])
        XCTAssertEqual(counts.recordingBefore, [0: false, 1: false])
        XCTAssertFalse(Tape.isRecording)
    }

    final class LockedCounts: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var nodes: [Int: Int] = [:]
        private(set) var recordingBefore: [Int: Bool] = [:]
        func set(_ k: Int, nodes n: Int) { lock.lock(); nodes[k] = n; lock.unlock() }
        func set(_ k: Int, recordingBefore r: Bool) { lock.lock(); recordingBefore[k] = r; lock.unlock() }
    }
}
