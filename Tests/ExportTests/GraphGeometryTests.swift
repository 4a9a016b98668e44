import XCTest
import TestSupport
import NN
@testable import Export

final class GraphGeometryTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// The size rule agrees with the network's own arithmetic for every side up to 400.
    func testInputSizeRuleMatchesTheNetwork() {
        for block in BlockKind.allCases {
            for padding in PaddingMode.allCases {
                for depth in 1...4 {
                    var c = UNetConfiguration()
                    c.block = block; c.padding = padding; c.depth = depth
                    let rule = InputSizeRule(c)
                    for n in 1...400 { XCTAssertEqual(rule.output(forInput: n), c.outputSize(forInput: n), "\(block) \(padding) depth \(depth) n \(n)") }
                }
            }
        }
        var paper = UNetConfiguration.paper()
        XCTAssertEqual(InputSizeRule(paper).output(forInput: 572), 388)
        paper.padding = .same
        XCTAssertEqual(InputSizeRule(paper).border, 0)
    }

    /// The paper's network: the 568² map of level 0 is cropped to the 392² up-sampled one
    /// (88 per side); level 3: 64² to 56².
    func testSkipCropMarginsOfThePaperNetwork() {
        let margins = UNetGraph.skipCropMargins(.paper())
        XCTAssertEqual(margins.map(\.top), [88, 40, 16, 4])
        XCTAssertEqual(margins.map(\.bottom), [88, 40, 16, 4])
    }
}
