import Tensors
import TestSupport
import XCTest

/// Argmax over channels and confusion counts against the reference backend: comparisons and
/// integer counts, so exact. Ties (equal values in several channels) go to the first channel.
final class MetricsConformanceTests: XCTestCase {
    func testArgmaxWithTies() {
        for s in [Shape(2, 3, 5, 7), Shape(1, 16, 4, 3), Shape(1, 1, 2, 2)] {
            let r = onBoth { backend -> [Int32] in
                var rng = SeededGenerator(seed: 1)
                // Values rounded to halves, so ties are common.
                let values = randomValues(s.count, &rng).map { ($0 * 2).rounded() / 2 }
                let mask = backend.argmaxChannels(Tensor(shape: s, scalars: values).inLayout(backend.preferredLayout(channels: s.c)))
                XCTAssertEqual(mask.dtype, .int32)
                XCTAssertEqual(mask.shape, Shape(s.n, s.h, s.w))
                return mask.integers
            }
            XCTAssertEqual(r.tested, r.reference, "argmax \(s) [\(underTest.name)]")
            XCTAssertEqual(r.tested.count, s.n * s.h * s.w)
        }
    }

    func testConfusionCounts() {
        let classes = 4
        var rng = SeededGenerator(seed: 2)
        let truth = (0..<500).map { _ in Int32(rng.next() % UInt64(classes)) }
        let prediction = (0..<500).map { _ in Int32(rng.next() % UInt64(classes)) }
        let r = onBoth { backend -> [Int64] in
            var counts = [Int64](repeating: 1, count: classes * classes)  // accumulates onto what is there
            backend.accumulateConfusion(truth: Tensor(shape: Shape(500), integers: truth),
                                        prediction: Tensor(shape: Shape(500), integers: prediction), classes: classes, into: &counts)
            return counts
        }
        XCTAssertEqual(r.tested, r.reference, "confusion counts [\(underTest.name)]")
        XCTAssertEqual(r.tested.reduce(0, +), 500 + Int64(classes * classes))
    }
}
