import XCTest
import TestSupport
import Tensors
@testable import Datasets

final class ElasticDeformationTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testSplineWeightsInterpolateNodesAndSumToOne() {
        let w = naturalCubicSplineWeights(nodeCount: 3, sampleCount: 9)  // nodes at samples 0, 4, 8
        for s in 0..<9 {
            let row = Array(w[s * 3 ..< s * 3 + 3])
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-6)
        }
        XCTAssertEqual(Array(w[0..<3]), [1, 0, 0])
        XCTAssertEqual(Array(w[12..<15]), [0, 1, 0])
        XCTAssertEqual(Array(w[24..<27]), [0, 0, 1])
        // Natural spline through (0,0),(1,1),(2,0) at u = 0.5 is 11/16.
        XCTAssertEqual(w[2 * 3 + 1], 11.0 / 16.0, accuracy: 1e-6)
    }

    func testZeroFieldIsIdentityAndShiftMovesPixels() {
        let image = (0..<20).map { Float($0) }
        let mask = (0..<20).map { Int32($0 % 3) }
        let sample = Sample(image: image, channels: 1, height: 4, width: 5, mask: mask, weights: image)
        let zero = ElasticDeformation.DisplacementField(dy: .init(repeating: 0, count: 20), dx: .init(repeating: 0, count: 20), height: 4, width: 5)
        XCTAssertEqual(ElasticDeformation.warp(sample, by: zero), sample)
        // Shift right by half a pixel: output (y, x) reads between x and x+1; the last column reflects.
        let half = ElasticDeformation.DisplacementField(dy: .init(repeating: 0, count: 20), dx: .init(repeating: 0.5, count: 20), height: 4, width: 5)
        let shifted = ElasticDeformation.warp(sample, by: half)
        // Weights: bilinear. Image: bicubic (Keys, taps −1…2 weighted −1/16, 9/16, 9/16, −1/16 at a
        // half-pixel offset), exact on the ramp's interior; at the edges the reflected taps bend it:
        // x = 0 reads 1, 0, 1, 2 → 0.375, clamped to its neighbours' range [0, 1] stays 0.375;
        // x = 3 reads 2, 3, 4, 3 → 3.625 ∈ [3, 4]; x = 4 reads 3, 4, 3, 2 → 3.625 ∈ [3, 4].
        XCTAssertEqual(Array(shifted.weights![0..<5]), [0.5, 1.5, 2.5, 3.5, 3.5])
        XCTAssertEqual(Array(shifted.image[0..<5]), [0.375, 1.5, 2.5, 3.625, 3.625])
        XCTAssertEqual(shifted.mask, ElasticDeformation.warp(Sample(image: image, channels: 1, height: 4, width: 5, mask: mask), by: half).mask)
    }

    /// Bicubic resampling keeps a step edge sharper than bilinear would, and never overshoots.
    func testImageWarpKeepsEdgesSharpWithoutOvershoot() {
        // A vertical step 0 → 1 between columns 3 and 4, shifted by 0.3 px.
        let (h, w) = (3, 8)
        let image = (0..<(h * w)).map { Float($0 % w >= 4 ? 1 : 0) }
        let shift = ElasticDeformation.DisplacementField(dy: .init(repeating: 0, count: h * w), dx: .init(repeating: 0.3, count: h * w), height: h, width: w)
        let out = ElasticDeformation.warp(Sample(image: image, channels: 1, height: h, width: w), by: shift).image
        XCTAssertTrue(out.allSatisfy { $0 >= 0 && $0 <= 1 })
        // Column 3 reads at 3.3 (taps 2, 3, 4, 5 = 0, 0, 1, 1): the sum of the two right taps'
        // weights, where bilinear would give 0.3. Keys' kernel (a = −1/2), worked by hand:
        // |x| ≤ 1: 1.5|x|³ − 2.5|x|² + 1, so w(0.7) = 0.5145 − 1.225 + 1 = 0.2895;
        // 1 < |x| < 2: −0.5|x|³ + 2.5|x|² − 4|x| + 2, so w(1.7) = −2.4565 + 7.225 − 6.8 + 2 = −0.0315.
        let bicubicValue = out[3]
        XCTAssertEqual(bicubicValue, 0.2895 - 0.0315, accuracy: 1e-6)
        XCTAssertLessThan(bicubicValue, 0.3, "a sharper edge leaves less of the bright side on the dark side")
        var wts = [Float](repeating: 0, count: 4)
        cubicWeights(0.3, into: &wts)
        // w(1.3), w(0.3), w(0.7), w(1.7) by the same formulas.
        for (got, want) in zip(wts, [Float(-0.0735), 0.8155, 0.2895, -0.0315]) { XCTAssertEqual(got, want, accuracy: 1e-6) }
    }

    func testRandomWarpIsDeterministicAndKeepsMaskClasses() {
        var pixels = SeededGenerator(seed: 1)
        let h = 40, w = 30
        let image = (0..<2 * h * w).map { _ in pixels.nextUnitFloat() }
        let mask = (0..<h * w).map { Int32(($0 / w) / 10 * 2) }  // classes 0, 2, 4, 6 in bands
        let sample = Sample(image: image, channels: 2, height: h, width: w, mask: mask)
        let elastic = ElasticDeformation(gridSize: 3, displacementSigma: 10)
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        let outA = elastic.apply(to: sample, rng: &a)
        let outB = elastic.apply(to: sample, rng: &b)
        XCTAssertEqual(outA, outB)
        XCTAssertNotEqual(outA.image, sample.image)
        XCTAssertTrue(Set(outA.mask!).isSubset(of: [0, 2, 4, 6]))
        XCTAssertTrue(outA.image.allSatisfy { $0 >= 0 && $0 < 1 })
    }
}
