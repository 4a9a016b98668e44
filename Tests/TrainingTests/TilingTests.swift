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

    /// What `predict` promises on every CPU: tiles are aligned so that every output pixel sees the
    /// same inputs whatever the tile size, so probabilities agree to float rounding (the kernels
    /// oneDNN picks may block their sums differently for another tile width: on AVX2 the direct
    /// kernels differ by up to about 1e-5, on AVX-512 they were bit-identical), and a pixel's class
    /// can change only where its two most likely classes are tied to within that rounding.
    func testTileSizeDoesNotChangeTheResult() {
        let (net, info) = model()
        var rng = SeededGenerator(seed: 2)
        let (h, w) = (83, 101)   // odd, never a tile multiple
        let image = (0..<(h * w)).map { _ in rng.nextGaussian() }
        let plans = (Predictor(model: net, info: info, tile: 60).plan(height: h, width: w), Predictor(model: net, info: info, tile: 140).plan(height: h, width: w))
        XCTAssertNotEqual(plans.0.inputSize, plans.1.inputSize)
        for algorithm in [ConvolutionAlgorithm.direct, .winograd] {
            let (small, large) = with(algorithm) {
                (Predictor(model: net, info: info, tile: 60).probabilities(image, channels: 1, height: h, width: w),
                 Predictor(model: net, info: info, tile: 140, batchTiles: 1).probabilities(image, channels: 1, height: h, width: w))
            }
            XCTAssertEqual(small.count, 3 * h * w)
            assertSamePrediction(small, large, pixels: h * w, classes: 3, "\(algorithm), tiles 60 vs 140")
            if algorithm == .direct {
                // Probabilities sum to one everywhere.
                for i in stride(from: 0, to: h * w, by: 97) {
                    XCTAssertEqual(small[i] + small[h * w + i] + small[2 * h * w + i], 1, accuracy: 1e-5)
                }
            }
        }
    }

    /// The promise above, for two class-major probability maps.
    func assertSamePrediction(_ a: [Float], _ b: [Float], pixels: Int, classes: Int, _ what: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        let rounding: Float = 1e-4
        let largest = zip(a, b).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(largest, rounding, "\(what): probabilities differ by \(largest)", file: file, line: line)
        func ranked(_ p: [Float], _ i: Int) -> (best: Int, margin: Float) {
            let values = (0..<classes).map { p[$0 * pixels + i] }
            let best = values.indices.max { values[$0] < values[$1] }!
            let second = values.indices.filter { $0 != best }.map { values[$0] }.max()!
            return (best, values[best] - second)
        }
        var changed = 0
        for i in 0..<pixels {
            let (ra, rb) = (ranked(a, i), ranked(b, i))
            guard ra.best != rb.best else { continue }
            changed += 1
            XCTAssertLessThan(min(ra.margin, rb.margin), 2 * rounding,
                              "\(what): pixel \(i) changed class with margins \(ra.margin), \(rb.margin)", file: file, line: line)
        }
        XCTAssertLessThanOrEqual(changed, pixels / 1000, "\(what): \(changed) of \(pixels) pixels changed class", file: file, line: line)
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
    /// each pixel dearer, so the same budget buys a smaller tile; where oneDNN has no Winograd on
    /// this CPU, nothing is reserved for it.
    func testTilePlanCountsTheBackendsConvolutionWorkspace() {
        let (_, info) = model()
        let c = info.configuration
        let direct = with(.direct) { (TilePlan.bytesPerPixel(c), TilePlan.tileSize(for: c, budgetBytes: 64 << 20, batch: 1, height: 4000, width: 4000)) }
        let winograd = with(.winograd) { (TilePlan.bytesPerPixel(c), TilePlan.tileSize(for: c, budgetBytes: 64 << 20, batch: 1, height: 4000, width: 4000)) }
        guard CPUBackend.shared.winogradAvailable else {
            XCTAssertEqual(winograd.0, direct.0, "no Winograd on this CPU, no workspace for it")
            XCTAssertEqual(winograd.1, direct.1)
            return
        }
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
