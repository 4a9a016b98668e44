import XCTest
import TestSupport
import Tensors
@testable import Datasets

final class DistanceTransformTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testMatchesBruteForceOnRandomFeatures() {
        var rng = SeededGenerator(seed: 4)
        let h = 13, w = 17
        let features = (0..<h * w).map { _ in rng.nextUnitFloat() < 0.05 }
        let fast = squaredEuclideanDistanceTransform(features, height: h, width: w)
        for y in 0..<h {
            for x in 0..<w {
                var best = Float.infinity
                for fy in 0..<h { for fx in 0..<w where features[fy * w + fx] {
                    best = min(best, Float((fy - y) * (fy - y) + (fx - x) * (fx - x)))
                } }
                XCTAssertEqual(fast[y * w + x], best, "at \(y),\(x)")
            }
        }
    }

    func testConnectivity() {
        // Two squares touching at a corner: two components with 4-connectivity, one with 8.
        let mask: [Int32] = [1, 1, 0, 0,
                             1, 1, 0, 0,
                             0, 0, 1, 1,
                             0, 0, 1, 1]
        let four = labelConnectedComponents(mask, height: 4, width: 4, foregroundClass: 1, connectivity: .four)
        XCTAssertEqual(four.count, 2)
        XCTAssertEqual(four.labels, [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 2, 2, 0, 0, 2, 2])
        XCTAssertEqual(labelConnectedComponents(mask, height: 4, width: 4, foregroundClass: 1, connectivity: .eight).count, 1)
        XCTAssertEqual(labelConnectedComponents(mask, height: 4, width: 4, foregroundClass: 0).count, 2)
    }
}
