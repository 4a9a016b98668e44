import XCTest
import TestSupport
import Tensors
@testable import Datasets

final class BorderWeightMapTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// 20×20, square A rows 5...10 × columns 2...7, square B rows 5...10 × columns 10...15:
    /// a background gap two pixels wide (columns 8 and 9) between them.
    func twoSquares() -> [Int32] {
        var mask = [Int32](repeating: 0, count: 400)
        for y in 5...10 {
            for x in 2...7 { mask[y * 20 + x] = 1 }
            for x in 10...15 { mask[y * 20 + x] = 1 }
        }
        return mask
    }

    func testGapWeightsByHand() {
        let map = BorderWeightMap(classBalance: .uniform)
        let w = map.weights(classMask: twoSquares(), height: 20, width: 20, classCount: 2)
        let expected = { (d: Double) in Float(1 + 10 * exp(-d * d / 50)) }
        XCTAssertEqual(w[7 * 20 + 8], expected(1 + 2), accuracy: 1e-5)       // d1 = 1 (A), d2 = 2 (B)
        XCTAssertEqual(w[7 * 20 + 9], expected(2 + 1), accuracy: 1e-5)
        XCTAssertEqual(w[4 * 20 + 8], expected(2.0.squareRoot() + 5.0.squareRoot()), accuracy: 1e-5)  // diagonal above the gap
        XCTAssertEqual(w[7 * 20 + 1], expected(1 + 9), accuracy: 1e-5)       // left of A: d1 = 1, d2 = 9
        XCTAssertEqual(w[7 * 20 + 5], 1)                                     // inside an object: w_c only
        XCTAssertEqual(w[19 * 20 + 19], 1, accuracy: 1e-3)                   // far away
    }

    func testInverseFrequencyClassWeightsHaveMeanOne() {
        let mask = twoSquares()
        let weights = ClassBalance.inverseFrequency.classWeights(for: mask, classCount: 2)
        XCTAssertEqual(weights[0], 400 / (2 * 328), accuracy: 1e-6)
        XCTAssertEqual(weights[1], 400 / (2 * 72), accuracy: 1e-6)
        let pixels = ClassBalance.inverseFrequency.pixelWeights(for: mask, classCount: 2)
        XCTAssertEqual(pixels.reduce(0, +) / 400, 1, accuracy: 1e-5)
    }

    func testSingleObjectHasNoBorderTerm() {
        var mask = [Int32](repeating: 0, count: 100)
        for y in 3...6 { for x in 3...6 { mask[y * 10 + x] = 1 } }
        let w = BorderWeightMap(classBalance: .uniform).weights(classMask: mask, height: 10, width: 10, classCount: 2)
        XCTAssertEqual(w, [Float](repeating: 1, count: 100))
    }

    func testFastMatchesReferenceOnRandomLabels() {
        var rng = SeededGenerator(seed: 21)
        let h = 48, w = 40
        // Random rectangles of instance labels, some touching, on background 0.
        var labels = [Int32](repeating: 0, count: h * w)
        for label in 1...14 {
            let top = Int(rng.next() % UInt64(h - 4)), left = Int(rng.next() % UInt64(w - 4))
            let bh = 1 + Int(rng.next() % 8), bw = 1 + Int(rng.next() % 8)
            for y in top..<min(top + bh, h) { for x in left..<min(left + bw, w) { labels[y * w + x] = Int32(label) } }
        }
        for sigma: Float in [2, 5] {
            let map = BorderWeightMap(sigma: sigma)
            let fast = map.borderTerm(instances: labels, height: h, width: w)
            let reference = map.referenceBorderTerm(instances: labels, height: h, width: w)
            var worst: Float = 0
            for i in 0..<fast.count { worst = max(worst, abs(fast[i] - reference[i])) }
            XCTAssertLessThanOrEqual(worst, map.tolerance * 1.01, "sigma \(sigma)")
            XCTAssertGreaterThan(reference.max()!, 1)
        }
    }

    func testLargeMaskIsFast() {
        // 512×512 with ~400 cells (12×12 squares on a 16-px lattice, 4-px membranes).
        let n = 512
        var mask = [Int32](repeating: 0, count: n * n)
        for y in 0..<n where y % 16 >= 2 && y % 16 < 14 { for x in 0..<n where x % 16 >= 2 && x % 16 < 14 { mask[y * n + x] = 1 } }
        let start = Date()
        let w = BorderWeightMap().weights(classMask: mask, height: n, width: n, classCount: 2)
        XCTAssertEqual(w.count, n * n)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)  // debug build; release is far faster
    }
}
