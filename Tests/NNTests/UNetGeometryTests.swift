import XCTest
import TestSupport
@testable import NN
import Tensors

/// Size arithmetic (UNet+Geometry.swift). Expected numbers for the depth-4 networks are the
/// paper's (572 → 388, 92 pixels lost per side) and, for the other kinds, the same arithmetic in
/// Tools/make_unet_fixtures.py (`output_size`).
final class UNetGeometryTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    private func paper(_ block: BlockKind, padding: PaddingMode = .valid) -> UNetConfiguration {
        var c = UNetConfiguration.paper(block: block)
        c.padding = padding
        return c
    }

    func testOutputSizeTable() {
        // (configuration, input, expected output or nil when invalid)
        let rows: [(String, UNetConfiguration, Int, Int?)] = [
            ("paper plain", paper(.plain), 572, 388),
            ("paper residual", paper(.residual), 572, 388),
            ("paper preact", paper(.preact), 572, 388),
            ("paper plain, smallest", paper(.plain), 188, 4),
            ("paper plain, 570 reaches an odd size", paper(.plain), 570, nil),
            ("paper plain, 187", paper(.plain), 187, nil),
            ("paper bottleneck, one 3×3 per block", paper(.bottleneck), 574, 482),
            ("paper bottleneck, 572 reaches an odd size", paper(.bottleneck), 572, nil),
            ("paper bottleneck, smallest", paper(.bottleneck), 94, 2),
            ("same padding", paper(.plain, padding: .same), 512, 512),
            ("same padding, 500 not divisible by 16", paper(.plain, padding: .same), 500, nil),
            ("same padding, smallest", paper(.plain, padding: .same), 16, 16),
            ("same padding, 8", paper(.plain, padding: .same), 8, nil),
            ("depth 2 plain, smallest", smallConfiguration(.plain), 44, 4),
            ("depth 2 plain", smallConfiguration(.plain), 48, 8),
            ("depth 2 plain, 46", smallConfiguration(.plain), 46, nil),
            ("depth 2 residual", smallConfiguration(.residual), 44, 4),
            ("depth 2 preact", smallConfiguration(.preact), 60, 20),
            ("depth 2 bottleneck, smallest", smallConfiguration(.bottleneck), 22, 2),
            ("depth 2 bottleneck", smallConfiguration(.bottleneck), 26, 6),
            ("depth 2 bottleneck, 24", smallConfiguration(.bottleneck), 24, nil),
        ]
        for (what, c, input, expected) in rows {
            XCTAssertEqual(c.outputSize(forInput: input), expected, "\(what): \(input)")
            XCTAssertEqual(c.isValidInput(input), expected != nil, "\(what): \(input)")
        }
    }

    func testMinimumInputAndBorder() {
        XCTAssertEqual(paper(.plain).minimumInput, 188)
        XCTAssertEqual(paper(.plain).borderPerSide, 92)
        XCTAssertEqual(paper(.residual).borderPerSide, 92)
        XCTAssertEqual(paper(.preact).borderPerSide, 92)
        XCTAssertEqual(paper(.bottleneck).minimumInput, 94)
        XCTAssertEqual(paper(.bottleneck).borderPerSide, 46)
        XCTAssertEqual(paper(.plain, padding: .same).minimumInput, 16)
        XCTAssertEqual(paper(.plain, padding: .same).borderPerSide, 0)
        XCTAssertEqual(smallConfiguration(.plain).minimumInput, 44)
        XCTAssertEqual(smallConfiguration(.bottleneck).minimumInput, 22)
    }

    func testNearestValidInput() {
        let c = paper(.plain)   // valid inputs: 188, 204, …, 556, 572, 588, …
        XCTAssertEqual(c.nearestValidInput(to: 572), 572)
        XCTAssertEqual(c.nearestValidInput(to: 570), 572)
        XCTAssertEqual(c.nearestValidInput(to: 560), 556)
        XCTAssertEqual(c.nearestValidInput(to: 564), 572, "ties go to the larger size")
        XCTAssertEqual(c.nearestValidInput(to: 1), 188)
        XCTAssertEqual(paper(.bottleneck).nearestValidInput(to: 572), 574)
        XCTAssertEqual(paper(.bottleneck).nearestValidInput(to: 566), 574, "ties go to the larger size")
        XCTAssertEqual(paper(.plain, padding: .same).nearestValidInput(to: 500), 496)
        XCTAssertEqual(paper(.plain, padding: .same).nearestValidInput(to: 504), 512, "ties go to the larger size")
    }

    func testInputSizeForOutputAtLeast() {
        XCTAssertEqual(smallConfiguration(.plain).inputSize(forOutputAtLeast: 4), 44)
        XCTAssertEqual(smallConfiguration(.plain).inputSize(forOutputAtLeast: 5), 48)
        XCTAssertEqual(smallConfiguration(.bottleneck).inputSize(forOutputAtLeast: 4), 26)
        XCTAssertEqual(paper(.plain).inputSize(forOutputAtLeast: 388), 572)
    }

    /// The real forward's output shape equals `outputSize(forInput:)`, for every block kind,
    /// both paddings and both up-samplings, on a non-square input.
    func testForwardShapeMatchesArithmetic() {
        for block in BlockKind.allCases {
            for padding in PaddingMode.allCases {
                for upsampling in Upsampling.allCases {
                    var c = smallConfiguration(block, baseWidth: 2, classes: 2)
                    c.padding = padding
                    c.upsampling = upsampling
                    let h = c.minimumInput
                    let w = c.inputSize(forOutputAtLeast: (c.outputSize(forInput: h) ?? 0) + 1)
                    let model = UNet(c, seed: 3)
                    let x = Tensor(shape: Shape(2, 1, h, w), scalars: (0..<(2 * h * w)).map { Float($0 % 7) - 3 })
                    let y = Tape.withoutRecording { model(x) }
                    XCTAssertEqual(y.shape.dims, [2, 2, c.outputSize(forInput: h)!, c.outputSize(forInput: w)!],
                                   "\(block) \(padding) \(upsampling) input \(h)x\(w)")
                }
            }
        }
    }
}
