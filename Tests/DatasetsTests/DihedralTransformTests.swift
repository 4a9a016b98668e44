import XCTest
import TestSupport
import Tensors
@testable import Datasets

final class DihedralTransformTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    let grid: [Float] = [1, 2, 3,
                         4, 5, 6]

    func testQuarterTurnMatchesNumpyRot90() {
        let t = DihedralTransform(quarterTurns: 1)
        // np.rot90([[1,2,3],[4,5,6]]) == [[3,6],[2,5],[1,4]]
        XCTAssertEqual(t.apply(to: grid, channels: 1, height: 2, width: 3), [3, 6, 2, 5, 1, 4])
        XCTAssertTrue(t.outputSize(height: 2, width: 3) == (3, 2))
        XCTAssertEqual(DihedralTransform(quarterTurns: 2).apply(to: grid, channels: 1, height: 2, width: 3), [6, 5, 4, 3, 2, 1])
        XCTAssertEqual(DihedralTransform(quarterTurns: 3).apply(to: grid, channels: 1, height: 2, width: 3), [4, 1, 5, 2, 6, 3])
        XCTAssertEqual(DihedralTransform(quarterTurns: 4).apply(to: grid, channels: 1, height: 2, width: 3), grid)
    }

    func testFlips() {
        XCTAssertEqual(DihedralTransform(flipHorizontal: true).apply(to: grid, channels: 1, height: 2, width: 3), [3, 2, 1, 6, 5, 4])
        XCTAssertEqual(DihedralTransform(flipVertical: true).apply(to: grid, channels: 1, height: 2, width: 3), [4, 5, 6, 1, 2, 3])
        // Flip then turn: fliplr then rot90 -> [[1,4],[2,5],[3,6]]
        XCTAssertEqual(DihedralTransform(flipHorizontal: true, quarterTurns: 1).apply(to: grid, channels: 1, height: 2, width: 3),
                       [1, 4, 2, 5, 3, 6])
    }

    func testTheEightSymmetriesAreDistinctAndEachInverseUndoesItsTransform() {
        XCTAssertEqual(DihedralTransform.all.count, 8)
        XCTAssertEqual(DihedralTransform.all.first, .identity)
        let images = DihedralTransform.all.map { $0.apply(to: grid, channels: 1, height: 2, width: 3) }
        XCTAssertEqual(Set(images.map { $0.map(Int.init) }).count, 8, "two of the 8 symmetries coincide")
        // Every flip/turn combination (including vertical flips, which `all` spells differently)
        // is undone by its inverse, on a non-square 2-channel array.
        let data = (0..<30).map { Float($0) }  // 2 × 3 × 5
        for h in [false, true] {
            for v in [false, true] {
                for turns in 0..<4 {
                    let t = DihedralTransform(flipHorizontal: h, flipVertical: v, quarterTurns: turns)
                    let size = t.outputSize(height: 3, width: 5)
                    let moved = t.apply(to: data, channels: 2, height: 3, width: 5)
                    XCTAssertEqual(t.inverse.apply(to: moved, channels: 2, height: size.height, width: size.width), data, "\(t)")
                }
            }
        }
        // A quarter turn is not its own inverse; a flip is.
        XCTAssertEqual(DihedralTransform(quarterTurns: 1).inverse, DihedralTransform(quarterTurns: 3))
        XCTAssertEqual(DihedralTransform(flipHorizontal: true).inverse, DihedralTransform(flipHorizontal: true))
    }

    func testSampleImageMaskAndWeightsMoveTogether() {
        let image = (0..<24).map { Float($0) }  // 2 channels × 3 × 4
        let mask = (0..<12).map { Int32($0) }
        let weights = (0..<12).map { Float($0) * 10 }
        let sample = Sample(image: image, channels: 2, height: 3, width: 4, mask: mask, weights: weights)
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<16 {
            let t = DihedralTransform.random(flips: true, rotations: true, rng: &rng)
            let out = t.apply(to: sample)
            XCTAssertEqual(out.height * out.width, 12)
            XCTAssertEqual(out.mask!.map { Float($0) }, Array(out.image[0..<12]))
            XCTAssertEqual(out.mask!.map { Float($0) + 12 }, Array(out.image[12..<24]))
            XCTAssertEqual(out.mask!.map { Float($0) * 10 }, out.weights!)
            if t.quarterTurns % 2 == 1 { XCTAssertEqual(out.height, 4) } else { XCTAssertEqual(out.height, 3) }
        }
    }
}
