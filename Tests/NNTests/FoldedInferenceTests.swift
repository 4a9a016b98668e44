import Tensors
import XCTest
import TestSupport
@testable import NN

/// Inference folds batch norm into the convolutions and fuses the residual sum and ReLU; the
/// result must equal the unfused evaluation (which runs whenever a tape is recording).
final class FoldedInferenceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testFoldedEqualsUnfoldedForEveryBlockKind() {
        for kind in BlockKind.allCases {
            var c = UNetConfiguration()
            c.depth = 2; c.baseWidth = 16; c.block = kind; c.classes = 3
            let model = UNet(c, seed: 4)
            var rng = SeededGenerator(seed: 6)
            let size = c.nearestValidInput(to: 60)
            let x = Tensor.randomNormal(Shape(2, 1, size, size), using: &rng)
            model.training = true
            _ = Tape.withoutRecording { model(x) }   // non-trivial running statistics
            model.training = false
            let fused = Tape.withoutRecording { model(x) }.scalars
            let unfused = Tape().record { model(x) }.scalars
            let worst = zip(fused, unfused).map { abs($0 - $1) }.max()!
            let scale = unfused.map(abs).max()!
            XCTAssertLessThan(worst, 1e-4 * max(scale, 1), "\(kind): folded inference differs by \(worst)")
        }
    }
}
