import XCTest
import TestSupport
import Tensors
@testable import Datasets

final class IntensityAugmentationTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testFixedFactorsGiveExactValues() {
        let sample = Sample(image: [0.2, 0.4, 0.6, 0.8], channels: 1, height: 2, width: 2, mask: [0, 1, 1, 0])
        var rng = SeededGenerator(seed: 0)
        let brighter = IntensityAugmentation(brightness: 0.1...0.1, contrast: nil, gamma: nil).apply(to: sample, rng: &rng)
        XCTAssertEqual(brighter.image, [0.3, 0.5, 0.7, 0.9].map { Float($0) }, accuracy: 1e-6)
        XCTAssertEqual(brighter.mask, sample.mask)
        let contrasted = IntensityAugmentation(brightness: nil, contrast: 2...2, gamma: nil).apply(to: sample, rng: &rng)
        XCTAssertEqual(contrasted.image, [0.0, 0.3, 0.7, 1.0].map { Float($0) }, accuracy: 1e-6)  // mean 0.5, clamped
        let squared = IntensityAugmentation(brightness: nil, contrast: nil, gamma: 2...2).apply(to: sample, rng: &rng)
        XCTAssertEqual(squared.image, [0.04, 0.16, 0.36, 0.64].map { Float($0) }, accuracy: 1e-6)
    }

    func testNoiseIsSeeded() {
        let sample = Sample(image: .init(repeating: 0.5, count: 64), channels: 1, height: 8, width: 8)
        let noisy = IntensityAugmentation(brightness: nil, contrast: nil, gamma: nil, noiseStandardDeviation: 0.05...0.05)
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let outA = noisy.apply(to: sample, rng: &a)
        XCTAssertEqual(outA, noisy.apply(to: sample, rng: &b))
        XCTAssertNotEqual(outA.image, sample.image)
    }
}

func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "count", file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where abs(x - y) > accuracy {
        XCTFail("index \(i): \(x) vs \(y)", file: file, line: line)
        return
    }
}
