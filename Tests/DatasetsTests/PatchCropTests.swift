import XCTest
import TestSupport
import Tensors
@testable import Datasets

final class PatchCropTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testValidCropTakesCentredOutputWindow() {
        let image = (0..<36).map { Float($0) }  // 6×6
        let mask = (0..<36).map { Int32($0) }
        let sample = Sample(image: image, channels: 1, height: 6, width: 6, mask: mask, weights: image)
        let crop = PatchCrop(inputSize: 4, outputSize: 2)
        let out = crop.crop(sample, inputTop: 1, inputLeft: 2)
        XCTAssertEqual(out.height, 4)
        XCTAssertEqual(out.labelHeight, 2)
        XCTAssertEqual(out.image, [8, 9, 10, 11, 14, 15, 16, 17, 20, 21, 22, 23, 26, 27, 28, 29])
        XCTAssertEqual(out.mask, [15, 16, 21, 22])
        XCTAssertEqual(out.weights, [15, 16, 21, 22])
    }

    func testSmallImageIsMirrorPadded() {
        let sample = Sample(image: [0, 1, 2, 3], channels: 1, height: 2, width: 2, mask: [0, 1, 2, 3])
        var rng = SeededGenerator(seed: 3)
        let out = PatchCrop(inputSize: 6, outputSize: 4).randomCrop(sample, rng: &rng)
        // Output window starts at -1 in the 2×2 image, input window at -2.
        XCTAssertEqual(out.mask, [3, 2, 3, 2,  1, 0, 1, 0,  3, 2, 3, 2,  1, 0, 1, 0])
        XCTAssertEqual(Array(out.image[0..<6]), [0, 1, 0, 1, 0, 1])
    }

    func testRandomCropKeepsOutputWindowInsideAndIsDeterministic() {
        let sample = Sample(image: (0..<100).map { Float($0) }, channels: 1, height: 10, width: 10,
                            mask: (0..<100).map { Int32($0) })
        let crop = PatchCrop(inputSize: 8, outputSize: 4)
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        for _ in 0..<20 {
            let outA = crop.randomCrop(sample, rng: &a)
            XCTAssertEqual(outA, crop.randomCrop(sample, rng: &b))
            let first = Int(outA.mask![0]), top = first / 10, left = first % 10
            XCTAssertTrue((0...6).contains(top) && (0...6).contains(left))
            XCTAssertEqual(outA.mask![15], Int32((top + 3) * 10 + left + 3))
            XCTAssertEqual(outA.image[2 * 8 + 2], Float(first))
        }
    }
}
