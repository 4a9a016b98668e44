import NN
import Tensors
import XCTest
import TestSupport

/// `parameterCountLowerBound` never exceeds the parameters a built network has (a checkpoint of
/// a real network must never be refused by it), and within a small factor of them (it counts
/// the 3×3, up-sampling and head weights; shortcuts, biases and batch norm are left out).
final class ParameterBoundTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testBoundIsBelowAndNearTheRealCount() {
        for block in BlockKind.allCases {
            for upsampling in [Upsampling.transposed, .nearest] {
                for (depth, width, multiplier) in [(1, 4, 2.0), (2, 8, 2.0), (3, 6, 1.5)] {
                    var c = UNetConfiguration()
                    c.block = block
                    c.upsampling = upsampling
                    c.depth = depth
                    c.baseWidth = width
                    c.widthMultiplier = multiplier
                    c.inputChannels = 3
                    c.classes = 5
                    let real = Double(UNet(c).parameterCount), bound = c.parameterCountLowerBound
                    XCTAssertLessThanOrEqual(bound, real, "\(block) \(upsampling) depth \(depth)")
                    XCTAssertGreaterThan(bound, 0.4 * real, "\(block) \(upsampling) depth \(depth): bound \(bound), real \(real)")
                }
            }
        }
    }
}
