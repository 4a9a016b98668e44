import XCTest
import TestSupport
import Tensors
@testable import Datasets

final class AugmentationPolicyTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func makeSample() -> Sample {
        var rng = SeededGenerator(seed: 11)
        let h = 24, w = 32
        return Sample(image: (0..<h * w).map { _ in rng.nextUnitFloat() }, channels: 1, height: h, width: w,
                      mask: (0..<h * w).map { Int32($0 % w < w / 2 ? 0 : 1) }, weights: .init(repeating: 1, count: h * w))
    }

    func testNoneIsIdentity() {
        var rng = SeededGenerator(seed: 1)
        let sample = makeSample()
        XCTAssertEqual(AugmentationPolicy.none.apply(to: sample, rng: &rng), sample)
        XCTAssertEqual(rng, SeededGenerator(seed: 1))
    }

    func testDefaultIsDeterministicPerSeed() {
        let sample = makeSample()
        var a = SeededGenerator(seed: 2), b = SeededGenerator(seed: 2), c = SeededGenerator(seed: 3)
        let outA = AugmentationPolicy.default.apply(to: sample, rng: &a)
        XCTAssertEqual(outA, AugmentationPolicy.default.apply(to: sample, rng: &b))
        XCTAssertNotEqual(outA, AugmentationPolicy.default.apply(to: sample, rng: &c))
        XCTAssertEqual(outA.height * outA.width, 24 * 32)
        XCTAssertTrue(Set(outA.mask!).isSubset(of: [0, 1]))
    }
}
