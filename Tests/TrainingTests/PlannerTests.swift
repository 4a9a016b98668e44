import Datasets
import NN
import TestSupport
import XCTest
@testable import Training

/// The plan's decisions on fingerprints that stress one property each, with step costs from a
/// model (cost grows with width², batch and patch area) instead of measurements.
final class PlannerTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// A balanced, homogeneous 8-bit gray set of 512² images with 20-pixel objects.
    func base() -> DatasetFingerprint {
        var b = DatasetFingerprint.Builder(channels: 1, classCount: 2)
        for _ in 0..<2 {
            let image: [Float] = (0..<64).map { Float($0 % 4) / 4 }
            b.add(image: image, height: 8, width: 8, bitDepth: 8, mask: (0..<64).map { Int32($0 % 2) })
        }
        var f = b.finish()
        f.heights = .init([512, 512]); f.widths = .init([512, 512])
        f.classes[1].p90Diameter = 20
        f.classes[1].pixelShare = 0.4; f.classes[0].pixelShare = 0.6
        return f
    }

    var measured: [(width: Int, patch: Int, batch: Int)] = []

    /// 0.1 s per step at width 16, batch 4, patch 200²; memory 1 GB there.
    func planner(budget: Double, memory: Double = 64e9) -> Planner {
        Planner(budgetSeconds: budget, memoryBytes: memory) { [unowned self] c, patch, batch in
            measured.append((c.baseWidth, patch, batch))
            let scale = pow(Double(c.baseWidth) / 16, 2) * Double(batch) / 4 * Double(patch * patch) / 40000
            return Planner.StepCost(seconds: 0.1 * scale, peakBytes: 1e9 * scale)
        }
    }

    func decision(_ p: TrainingPlan, _ field: String) -> String { p.decisions.first { $0.field == field }?.reason ?? "" }

    func testHomogeneous8BitDataKeepsDatasetStatistics() throws {
        let p = try planner(budget: 1000).plan(base())
        XCTAssertEqual(p.normalize, "dataset")
        XCTAssertEqual(p.normalizationScheme, .dataset)
        XCTAssertEqual(p.loss, .ce, "balanced classes")
        XCTAssertFalse(p.intensity, "one brightness")
        XCTAssertTrue(p.elastic, "small objects")
    }

    func testNormalizationReactsToBitDepthSpreadAndTails() throws {
        var deep = base(); deep.bitDepth = 16
        var mixed = base(); mixed.intensities[0].betweenImageSpread = 1.2
        var inverted = base(); inverted.intensities[0].outlyingImageShare = 0.3
        var tail = base(); tail.intensities[0].tailRatio = 8
        for (f, word) in [(deep, "16-bit"), (mixed, "brightness"), (inverted, "outlying"), (tail, "bright pixels")] {
            let p = try planner(budget: 1000).plan(f)
            XCTAssertEqual(p.normalizationScheme, .percentile(low: 1, high: 99.8))
            XCTAssertTrue(decision(p, "normalize").contains(word), decision(p, "normalize"))
        }
        XCTAssertTrue(try planner(budget: 1000).plan(mixed).intensity)
    }

    func testPatchAndDepthFollowObjectsAndImages() throws {
        let small = try planner(budget: 1000).plan(base())
        let c = UNetConfiguration.defaultForTraining
        XCTAssertEqual(small.depth, c.depth)
        XCTAssertEqual(small.patchSize, c.inputSize(forOutputAtLeast: 128), "the 128-pixel floor")

        var large = base(); large.classes[1].p90Diameter = 150
        let p = try planner(budget: 1000).plan(large)
        var deeper = c; deeper.depth = p.depth
        XCTAssertGreaterThanOrEqual(deeper.outputSize(forInput: p.patchSize)!, 300, "twice the objects")
        XCTAssertTrue(p.elastic, "the output holds whole objects")

        var huge = base(); huge.classes[1].p90Diameter = Double(c.receptiveField + 20)
        huge.heights = .init([2000]); huge.widths = .init([2000])
        XCTAssertEqual(try planner(budget: 1000).plan(huge).depth, c.depth + 1, "objects beyond the receptive field")

        var bigObjectsSmallImages = base(); bigObjectsSmallImages.classes[1].p90Diameter = 300
        bigObjectsSmallImages.heights = .init([200]); bigObjectsSmallImages.widths = .init([200])
        XCTAssertFalse(try planner(budget: 1000).plan(bigObjectsSmallImages).elastic, "objects larger than the output")

        var tiny = base(); tiny.heights = .init([64, 64]); tiny.widths = .init([64, 64])
        let t = try planner(budget: 1000).plan(tiny)
        XCTAssertEqual(t.depth, c.depth - 1, "64-pixel images are below depth 4's smallest input")
        var shallow = c; shallow.depth = t.depth
        XCTAssertLessThanOrEqual(shallow.outputSize(forInput: t.patchSize)!, 64)
    }

    func testWidthAndStepsFitTheBudget() throws {
        // Width 16 ≈ 0.1·s, 32 ≈ 0.4·s, 64 ≈ 1.6·s per step for this patch; 90% of the budget trains.
        let f = base()
        let patch = try planner(budget: 1).plan(f).patchSize
        let s16 = 0.1 * Double(patch * patch) / 40000
        let short = try planner(budget: 2000 * s16 / 0.9 * 2).plan(f)
        XCTAssertEqual(short.width, 16, "width 32 would get fewer than 2000 steps")
        XCTAssertEqual(try XCTUnwrap(short.steps), 4000, accuracy: 1)
        let long = try planner(budget: 2000 * 16 * s16 / 0.9 * 1.01).plan(f)
        XCTAssertEqual(long.width, 64)
        XCTAssertEqual(long.measuredStepSeconds!, 16 * s16, accuracy: 1e-9)
        XCTAssertEqual(long.batchSize, 4)
    }

    /// A huge budget or a step timed at 0 s gives the largest step count a run takes, never a trap.
    func testStepCountsAreBounded() {
        XCTAssertEqual(Planner.steps(filling: 1e99, at: 0.5), TrainingOptions.maximumSteps)
        XCTAssertEqual(Planner.steps(filling: 100, at: 0), TrainingOptions.maximumSteps)
        XCTAssertEqual(Planner.steps(filling: .nan, at: 1), 1)
        XCTAssertEqual(Planner.steps(filling: 100, at: 0.3), 333)
        XCTAssertEqual(Planner.steps(filling: 0.1, at: 1), 1)
    }

    /// The training memory estimate against peak RSS measured by `unet bench --only train`
    /// (release build, AMD EPYC AVX2, 1 thread): within -5% and +35% for networks and patches
    /// of every size the planner chooses, so it refuses only what clearly cannot fit.
    func testTrainingMemoryEstimateFollowsMeasurements() throws {
        // depth, width, patch, batch, measured MiB
        let measured: [(Int, Int, Int, Int, Double)] = [(4, 16, 316, 1, 199), (4, 16, 316, 4, 501), (4, 16, 508, 2, 826),
                                                        (4, 32, 316, 2, 601), (2, 8, 188, 4, 162), (3, 64, 252, 2, 892), (4, 64, 572, 1, 2377)]
        for (depth, width, patch, batch, mib) in measured {
            var c = UNetConfiguration.defaultForTraining
            c.depth = depth; c.baseWidth = width
            let ratio = TrainingMemory.estimatedBytes(c, patch: patch, batch: batch) / (mib * 1_048_576)
            XCTAssertGreaterThan(ratio, 0.95, "d\(depth) w\(width) patch \(patch) batch \(batch)")
            XCTAssertLessThan(ratio, 1.35, "d\(depth) w\(width) patch \(patch) batch \(batch)")
        }
        var c = UNetConfiguration.defaultForTraining
        c.depth = 4; c.baseWidth = 16
        let limit = 2.0 * 1_073_741_824
        let batch = TrainingMemory.largestBatch(c, patch: 316, limitBytes: limit)
        XCTAssertLessThanOrEqual(TrainingMemory.estimatedBytes(c, patch: 316, batch: batch), limit)
        XCTAssertGreaterThan(TrainingMemory.estimatedBytes(c, patch: 316, batch: batch + 1), limit)
        let patch = try XCTUnwrap(TrainingMemory.largestPatch(c, batch: 4, limitBytes: limit))
        XCTAssertTrue(c.isValidInput(patch))
        XCTAssertLessThanOrEqual(TrainingMemory.estimatedBytes(c, patch: patch, batch: 4), limit)
        XCTAssertEqual(TrainingMemory.largestBatch(c, patch: 100_000, limitBytes: limit), 0)
        XCTAssertNil(TrainingMemory.largestPatch(c, batch: 1_000_000_000_000, limitBytes: limit))
    }

    func testMemoryHalvesTheBatchOrStopsTheWidth() throws {
        let f = base()
        let patch = try planner(budget: 1).plan(f).patchSize
        let gb16 = 1e9 * Double(patch * patch) / 40000
        measured = []
        let p = try planner(budget: 1e9, memory: gb16 * 4 * 0.6).plan(f)
        // Memory 2.4× width 16's at batch 4: width 32 needs 4× at batch 4, 2× at batch 2; width
        // 64 needs 4× even at batch 1.
        XCTAssertEqual(p.width, 32)
        XCTAssertEqual(p.batchSize, 2)
        XCTAssertTrue(measured.contains { $0.width == 64 && $0.batch == 1 }, "width 64 was tried down to batch 1")
        XCTAssertTrue(decision(p, "width").contains("does not fit"))
    }

    func testRareClassesGetDiceAndOversampling() throws {
        XCTAssertEqual(try planner(budget: 1000).plan(base()).oversample, 0, "balanced classes")
        var f = base(); f.classes[1].pixelShare = 0.03; f.classes[0].pixelShare = 0.97
        let p = try planner(budget: 1000).plan(f)
        XCTAssertEqual(p.loss, .ceDice)
        XCTAssertTrue(decision(p, "loss").contains("1"))
        XCTAssertEqual(try XCTUnwrap(p.oversample), 1.0 / 3, accuracy: 1e-12)
        XCTAssertTrue(decision(p, "oversample").contains("class(es) 1"))
    }

    func testSamplingFollowsTheSpreadOfImageSizes() throws {
        XCTAssertEqual(try planner(budget: 1000).plan(base()).sampling, .image, "one size")
        var f = base()
        f.heights = .init([300, 320, 512, 512, 560]); f.widths = .init([300, 320, 512, 512, 560])
        XCTAssertEqual(try planner(budget: 1000).plan(f).sampling, .image, "10th to 90th percentile areas 308² to 541²: 3.1×")
        f.heights = .init([256, 300, 512, 512, 600]); f.widths = .init([256, 300, 512, 512, 600])
        XCTAssertEqual(try planner(budget: 1000).plan(f).sampling, .area, "274² to 565²: 4.3×")
        f.heights = .init([100, 100, 512, 1024, 1024]); f.widths = .init([100, 100, 512, 1024, 1024])
        let p = try planner(budget: 1000).plan(f)
        XCTAssertEqual(p.sampling, .area, "areas differ about 100×")
        XCTAssertTrue(decision(p, "sampling").contains("in proportion to its area"))
    }

    /// Without a budget nothing is timed: the width and the run's length stay the defaults.
    func testNoBudgetKeepsWidthAndLength() throws {
        var c = UNetConfiguration.defaultForTraining
        c.baseWidth = 24
        let p = try planner(budget: 1).withoutBudget.plan(base(), base: c)
        XCTAssertTrue(measured.isEmpty)
        XCTAssertEqual(p.width, 24)
        XCTAssertNil(p.steps)
        XCTAssertNil(p.budgetSeconds)
        var o = TrainingOptions()
        o.epochs = 7
        let applied = o.applying(p)
        XCTAssertEqual(applied.epochs, 7, "the plan does not set a length")
        XCTAssertNil(applied.steps)
        XCTAssertEqual(applied.sampling, .image)
        XCTAssertEqual(applied.oversample, 0)
    }

    func testThePlanRoundTripsThroughJSON() throws {
        let p = try planner(budget: 1000).plan(base())
        XCTAssertEqual(try JSONDecoder().decode(TrainingPlan.self, from: JSONEncoder().encode(p)), p)
        XCTAssertTrue(p.table.contains("normalize"))
    }
}

extension Planner {
    var withoutBudget: Planner {
        var p = self
        p.budgetSeconds = nil
        return p
    }
}
