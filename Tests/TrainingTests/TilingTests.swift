import Datasets
import NN
import Tensors
@testable import CPUBackend
import XCTest
import TestSupport
@testable import Training

/// Overlap-tile prediction: the result does not depend on the tile size, and matches one
/// forward pass over the mirror-padded image.
final class TilingTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func model(_ padding: PaddingMode = .valid) -> (UNet, ModelInfo) {
        var c = UNetConfiguration()
        c.depth = 2; c.baseWidth = 16; c.classes = 3; c.padding = padding
        let m = UNet(c, seed: 9)
        return (m, ModelInfo(configuration: c, normalization: .identity(channels: 1)))
    }

    /// Runs `body` with the backend's convolution algorithm set to `algorithm`.
    func with<R>(_ algorithm: ConvolutionAlgorithm, _ body: () -> R) -> R {
        let saved = CPUBackend.shared.convolutionAlgorithm
        CPUBackend.shared.convolutionAlgorithm = algorithm
        defer { CPUBackend.shared.convolutionAlgorithm = saved }
        return body()
    }

    func testTileSizeDoesNotChangeTheResult() {
        let (net, info) = model()
        var rng = SeededGenerator(seed: 2)
        let (h, w) = (83, 101)   // odd, never a tile multiple
        let image = (0..<(h * w)).map { _ in rng.nextGaussian() }
        let plans = (Predictor(model: net, info: info, tile: 60).plan(height: h, width: w), Predictor(model: net, info: info, tile: 140).plan(height: h, width: w))
        XCTAssertNotEqual(plans.0.inputSize, plans.1.inputSize)
        // Direct convolutions: tiles aligned to 2^depth see exactly the same sums, bit for bit.
        let (small, large) = with(.direct) {
            (Predictor(model: net, info: info, tile: 60).probabilities(image, channels: 1, height: h, width: w),
             Predictor(model: net, info: info, tile: 140, batchTiles: 1).probabilities(image, channels: 1, height: h, width: w))
        }
        XCTAssertEqual(small.count, 3 * h * w)
        XCTAssertEqual(small, large, "tile size changed the prediction")
        // Winograd (the default) transforms 4×4 output blocks counted from each tile's corner, so
        // the rounding differs with the tile grid: equal to float rounding, not bit for bit.
        let (smallW, largeW) = with(.winograd) {
            (Predictor(model: net, info: info, tile: 60).probabilities(image, channels: 1, height: h, width: w),
             Predictor(model: net, info: info, tile: 140, batchTiles: 1).probabilities(image, channels: 1, height: h, width: w))
        }
        XCTAssertLessThan(zip(smallW, largeW).map { abs($0 - $1) }.max()!, 1e-4)
        XCTAssertLessThan(zip(smallW, small).map { abs($0 - $1) }.max()!, 1e-4)
        // Probabilities sum to one everywhere.
        for i in stride(from: 0, to: h * w, by: 97) {
            XCTAssertEqual(small[i] + small[h * w + i] + small[2 * h * w + i], 1, accuracy: 1e-5)
        }
    }

    /// Test-time augmentation averages over symmetric copies, so its prediction commutes with
    /// those symmetries: predicting a turned image gives the turned prediction. A single pass
    /// does not (the network is not rotation-equivariant), which shows the averaging happened.
    func testTestTimeAugmentationMakesPredictionsEquivariant() {
        let (net, info) = model()
        var rng = SeededGenerator(seed: 5)
        let (h, w) = (37, 52)   // non-square: a quarter turn swaps the sides
        let image = (0..<(h * w)).map { _ in rng.nextGaussian() }
        let turn = DihedralTransform(quarterTurns: 1), flip = DihedralTransform(flipVertical: true)
        func predict(_ tta: TestTimeAugmentation, _ t: DihedralTransform) -> [Float] {
            let size = t.outputSize(height: h, width: w)
            let p = with(.direct) {
                Predictor(model: net, info: info, tile: 60, augmentation: tta)
                    .probabilities(t.apply(to: image, channels: 1, height: h, width: w), channels: 1, height: size.height, width: size.width)
            }
            return t.inverse.apply(to: p, channels: 3, height: size.height, width: size.width)
        }
        func maxDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max()! }
        let plain = predict(.none, .identity), dihedral = predict(.dihedral, .identity), flips = predict(.flips, .identity)
        XCTAssertGreaterThan(maxDifference(predict(.none, turn), plain), 1e-3, "a single pass should depend on orientation")
        XCTAssertLessThan(maxDifference(predict(.dihedral, turn), dihedral), 1e-5)
        XCTAssertLessThan(maxDifference(predict(.flips, flip), flips), 1e-5)
        XCTAssertGreaterThan(maxDifference(predict(.flips, turn), flips), 1e-3, "flips alone are not quarter-turn invariant")
        XCTAssertGreaterThan(maxDifference(dihedral, plain), 1e-3)
        for i in stride(from: 0, to: h * w, by: 61) {
            XCTAssertEqual(dihedral[i] + dihedral[h * w + i] + dihedral[2 * h * w + i], 1, accuracy: 1e-5)
        }
    }

    /// The planner counts the workspace the backend reports: Winograd's transformed maps make
    /// each pixel dearer, so the same budget buys a smaller tile.
    func testTilePlanCountsTheBackendsConvolutionWorkspace() {
        let (_, info) = model()
        let c = info.configuration
        let direct = with(.direct) { (TilePlan.bytesPerPixel(c), TilePlan.tileSize(for: c, budgetBytes: 64 << 20, batch: 1, height: 4000, width: 4000)) }
        let winograd = with(.winograd) { (TilePlan.bytesPerPixel(c), TilePlan.tileSize(for: c, budgetBytes: 64 << 20, batch: 1, height: 4000, width: 4000)) }
        XCTAssertEqual(winograd.0 - direct.0, 4 * 5 * 16, "2.5 × (16 + 16) floats per pixel")
        XCTAssertLessThan(winograd.1, direct.1)
    }

    func testTilePlanCoversTheImageExactly() {
        let (_, info) = model()
        let plan = TilePlan(configuration: info.configuration, tile: 100)
        XCTAssertEqual(plan.step % info.configuration.alignment, 0)
        XCTAssertLessThanOrEqual(plan.step, plan.outputSize)
        XCTAssertEqual(plan.context, info.configuration.borderPerSide)
        for length in [1, 7, plan.step, plan.step + 1, 3 * plan.step - 1] {
            let origins = plan.origins(length: length)
            XCTAssertEqual(origins.first, 0)
            XCTAssertGreaterThanOrEqual(origins.last! + plan.outputSize, length)
        }
    }

    func testSamePaddingTilesAgreeInTheInterior() {
        let (net, info) = model(.same)
        var rng = SeededGenerator(seed: 4)
        let (h, w) = (70, 90)
        let image = (0..<(h * w)).map { _ in rng.nextGaussian() }
        // Margins of half the receptive field: the kept centres never see a tile's zero padding.
        let (a, b) = with(.direct) {
            (Predictor(model: net, info: info, tile: 96).probabilities(image, channels: 1, height: h, width: w),
             Predictor(model: net, info: info, tile: 160).probabilities(image, channels: 1, height: h, width: w))
        }
        let worst = zip(a, b).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-5, "same-padding tiles with margins of half the receptive field should agree")
    }
}
