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
    func with<R>(_ algorithm: ConvolutionAlgorithm, _ body: () throws -> R) rethrows -> R {
        let saved = CPUBackend.shared.convolutionAlgorithm
        CPUBackend.shared.convolutionAlgorithm = algorithm
        defer { CPUBackend.shared.convolutionAlgorithm = saved }
        return try body()
    }

    /// What `predict` promises on every CPU: tiles are aligned so that every output pixel sees the
    /// same inputs whatever the tile size, so probabilities agree to float rounding (the kernels
    /// oneDNN picks may block their sums differently for another tile width: on AVX2 the direct
    /// kernels differ by up to about 1e-5, on AVX-512 they were bit-identical), and a pixel's class
    /// can change only where its two most likely classes are tied to within that rounding.
    func testTileSizeDoesNotChangeTheResult() throws {
        let (net, info) = model()
        var rng = SeededGenerator(seed: 2)
        let (h, w) = (83, 101)   // odd, never a tile multiple
        let image = (0..<(h * w)).map { _ in rng.nextGaussian() }
        let plans = (Predictor(model: net, info: info, tile: 60).plan(height: h, width: w), Predictor(model: net, info: info, tile: 140).plan(height: h, width: w))
        XCTAssertNotEqual(plans.0.rows.inputSize, plans.1.rows.inputSize)
        for algorithm in [ConvolutionAlgorithm.direct, .winograd] {
            let (small, large) = try with(algorithm) {
                (try Predictor(model: net, info: info, tile: 60).probabilities(image, channels: 1, height: h, width: w),
                 try Predictor(model: net, info: info, tile: 140, batchTiles: 1).probabilities(image, channels: 1, height: h, width: w))
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
    func testTestTimeAugmentationMakesPredictionsEquivariant() throws {
        let (net, info) = model()
        var rng = SeededGenerator(seed: 5)
        let (h, w) = (37, 52)   // non-square: a quarter turn swaps the sides
        let image = (0..<(h * w)).map { _ in rng.nextGaussian() }
        let turn = DihedralTransform(quarterTurns: 1), flip = DihedralTransform(flipVertical: true)
        func predict(_ tta: TestTimeAugmentation, _ t: DihedralTransform) throws -> [Float] {
            let size = t.outputSize(height: h, width: w)
            let p = try with(.direct) {
                try Predictor(model: net, info: info, tile: 60, augmentation: tta)
                    .probabilities(t.apply(to: image, channels: 1, height: h, width: w), channels: 1, height: size.height, width: size.width)
            }
            return t.inverse.apply(to: p, channels: 3, height: size.height, width: size.width)
        }
        func maxDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max()! }
        let plain = try predict(.none, .identity), dihedral = try predict(.dihedral, .identity), flips = try predict(.flips, .identity)
        XCTAssertGreaterThan(maxDifference(try predict(.none, turn), plain), 1e-3, "a single pass should depend on orientation")
        XCTAssertLessThan(maxDifference(try predict(.dihedral, turn), dihedral), 1e-5)
        XCTAssertLessThan(maxDifference(try predict(.flips, flip), flips), 1e-5)
        XCTAssertGreaterThan(maxDifference(try predict(.flips, turn), flips), 1e-3, "flips alone are not quarter-turn invariant")
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

    /// A thin image (a 4×3840 strip) gets tiles as thin as the network allows and as long as the
    /// budget allows, not a square tile hundreds of rows tall for every real row (which took
    /// about 10× longer and 16× more memory than --tile 200); the prediction keeps its promise.
    func testThinImagesGetOblongTilesAndTheSamePrediction() throws {
        let (net, info) = model()
        let c = info.configuration
        let budget = 1 << 30
        let smallest = TilePlan(configuration: c, tile: 1)
        for (h, w) in [(4, 3840), (96, 3840), (3840, 4)] {
            let layout = TileLayout.automatic(for: c, budgetBytes: budget, batch: 4, height: h, width: w)
            let square = TileLayout(configuration: c, tile: TilePlan.tileSize(for: c, budgetBytes: budget, batch: 4, height: h, width: w))
            let tile200 = TileLayout(configuration: c, tile: 200)
            let cost = layout.computedPixels(height: h, width: w)
            XCTAssertLessThan(Double(cost), 0.2 * Double(square.computedPixels(height: h, width: w)), "\(h)×\(w)")
            XCTAssertLessThanOrEqual(cost, tile200.computedPixels(height: h, width: w), "\(h)×\(w): no worse than --tile 200")
            XCTAssertLessThanOrEqual(layout.rows.inputSize * layout.columns.inputSize * 4 * TilePlan.bytesPerPixel(c), budget)
            let thin = h < w ? layout.rows : layout.columns
            XCTAssertEqual(thin.origins(length: min(h, w)).count, 1, "one tile across the thin side")
            XCTAssertLessThanOrEqual(thin.inputSize, smallest.inputSize + 2 * c.alignment + ((min(h, w) + c.alignment - 1) / c.alignment) * c.alignment)
        }
        // Square and large images keep the square tile (or one within 10% of its cost).
        let square = TileLayout.automatic(for: c, budgetBytes: budget, batch: 4, height: 512, width: 512)
        XCTAssertEqual(square.rows, square.columns)

        var rng = SeededGenerator(seed: 12)
        let (h, w) = (5, 300)
        let image = (0..<(h * w)).map { _ in rng.nextGaussian() }
        let layout = Predictor(model: net, info: info).plan(height: h, width: w)
        XCTAssertNotEqual(layout.rows.inputSize, layout.columns.inputSize, "oblong")
        let (oblong, squares) = try with(.direct) {
            (try Predictor(model: net, info: info).probabilities(image, channels: 1, height: h, width: w),
             try Predictor(model: net, info: info, tile: 60).probabilities(image, channels: 1, height: h, width: w))
        }
        assertSamePrediction(oblong, squares, pixels: h * w, classes: 3, "oblong automatic tiles vs square 60")
    }

    /// A stop request ends an image between forward passes (a signal does not wait for a whole
    /// large image), with an error rather than a partial result.
    func testAStopRequestEndsPredictionBetweenPasses() {
        let (net, info) = model()
        let (h, w) = (200, 200)
        let image = [Float](repeating: 0.5, count: h * w)
        var asked = 0
        XCTAssertThrowsError(try Predictor(model: net, info: info, tile: 60, batchTiles: 1)
            .probabilities(image, channels: 1, height: h, width: w) { asked += 1; return asked == 3 }) { error in
            XCTAssertTrue(error is PredictionStopped, "\(error)")
        }
        XCTAssertEqual(asked, 3, "asked before each pass, stopped at the third")
    }

    /// The tile a refusal suggests is accepted (it used to name the valid side just above the fit,
    /// which was refused in turn).
    func testTheSuggestedTileFitsTheBudget() throws {
        var c = UNetConfiguration()
        c.depth = 4; c.baseWidth = 16
        for budgetMB in [128, 300, 1024] {
            let problem = try XCTUnwrap(TilePlan.budgetProblem(tile: 100_000, batch: 4, budgetBytes: budgetMB << 20, configuration: c))
            let suggested = try XCTUnwrap(problem.components(separatedBy: "use --tile ").last?.split(separator: " ").first.flatMap { Int($0) }, problem)
            XCTAssertNil(TilePlan.budgetProblem(tile: suggested, batch: 4, budgetBytes: budgetMB << 20, configuration: c), "\(budgetMB) MB: \(problem)")
            XCTAssertNotNil(TilePlan.budgetProblem(tile: suggested + c.alignment, batch: 4, budgetBytes: budgetMB << 20, configuration: c),
                            "\(budgetMB) MB: the suggestion is the largest that fits")
        }
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

    func testSamePaddingTilesAgreeInTheInterior() throws {
        let (net, info) = model(.same)
        var rng = SeededGenerator(seed: 4)
        let (h, w) = (70, 90)
        let image = (0..<(h * w)).map { _ in rng.nextGaussian() }
        // Margins of half the receptive field: the kept centres never see a tile's zero padding.
        let (a, b) = try with(.direct) {
            (try Predictor(model: net, info: info, tile: 96).probabilities(image, channels: 1, height: h, width: w),
             try Predictor(model: net, info: info, tile: 160).probabilities(image, channels: 1, height: h, width: w))
        }
        let worst = zip(a, b).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-5, "same-padding tiles with margins of half the receptive field should agree")
    }
}
