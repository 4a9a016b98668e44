import Datasets
import Foundation
import NN
import Tensors
import XCTest
@testable import Training
import TestSupport

/// The seam for several processes, tested with an in-process world of 2 ranks
/// (`SharedMemoryWorld`): shards, lock-step training, one writer, a common stop.
final class DataParallelTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func options(_ root: String, out: String, batch: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.dataRoot = root
        o.outputDirectory = out
        o.model.depth = 2
        o.model.baseWidth = 8
        o.model.padding = .valid
        o.model.block = .residual
        o.batchSize = batch
        o.patchSize = 60
        o.validationFraction = 0.25
        o.elastic = false
        o.seed = 3
        return o
    }

    /// Rank r of 2 with batch 2 draws slots 2r, 2r+1 of the batch that one rank with batch 4
    /// draws: the shards are disjoint and together are that batch, at every step, across epochs.
    func testRankShardsMakeTheCombinedBatch() throws {
        let root = try SyntheticDataset.make(in: self, count: 5, size: 40)
        var o = options(root, out: scratchPath("unet-shards"), batch: 4)
        let data = try PreparedData.load(o, inferClasses: true)
        o.model.classes = data.classCount
        let norm = InputNormalization.identity(channels: 1)
        let single = try Trainer.patchBatcher(for: data, options: o, normalization: norm)
        o.batchSize = 2
        let ranks = try (0..<2).map { try Trainer.patchBatcher(for: data, options: o, normalization: norm, rank: $0, worldSize: 2) }
        XCTAssertEqual(ranks.map(\.stepsPerEpoch), [single.stepsPerEpoch, single.stepsPerEpoch])
        for step in 0..<(2 * single.stepsPerEpoch + 1) {
            let whole = try single.batch(step: step)
            let shards = try ranks.map { try $0.batch(step: step) }
            XCTAssertEqual(shards.map(\.size), [2, 2])
            XCTAssertEqual(shards[0].inputs + shards[1].inputs, whole.inputs, "step \(step)")
            XCTAssertEqual(shards[0].targets + shards[1].targets, whole.targets, "step \(step)")
            // The generic wrapper cuts the same shards out of the whole batch.
            for r in 0..<2 {
                let cut = try RankShard(single, rank: r, worldSize: 2).batch(step: step)
                XCTAssertEqual(cut.inputs, shards[r].inputs)
                XCTAssertEqual(cut.targets, shards[r].targets)
            }
        }
    }

    /// Runs `make(rank)`'s trainer on every rank of a world of 2 and returns the trainers, reducers and outcomes.
    func trainWorld(_ make: (Int, GradientReducer) throws -> Trainer)
        throws -> (trainers: [Trainer], reducers: [SharedMemoryWorld.Reducer], outcomes: [TrainingOutcome]) {
        let world = SharedMemoryWorld(size: 2)
        let reducers = (0..<2).map { world.reducer(rank: $0, bucketFloats: 2048) }
        let trainers = try (0..<2).map { try make($0, reducers[$0]) }
        let results = world.run { rank in try trainers[rank].run() }
        return (trainers, reducers, try results.map { try $0.get() })
    }

    /// Without batch norm and with a mean loss (cross-entropy) over equal shards, 2 ranks × batch
    /// 2 train the weights that 1 rank × batch 4 trains, up to float summation order (the average
    /// of two shard means is summed in another order than the mean over the whole batch). With
    /// SGD those rounding differences stay at rounding size; Adam divides each gradient by its
    /// running RMS (ε = 1e-8), so on components whose gradient is near zero a rounding difference
    /// can change the step by up to the learning rate: its tolerance is a fraction of it.
    func testTwoRanksMatchOneRankWithTheCombinedBatch() throws {
        try checkTwoRanksMatchOneRank(optimizer: .sgd, tolerance: 1e-5)
    }

    func testTwoRanksMatchOneRankWithAdam() throws {
        try checkTwoRanksMatchOneRank(optimizer: .adam, tolerance: 3e-3)
    }

    /// With batch norm, 2 ranks match 1 rank only when the statistics are the global batch's
    /// (`syncBatchNorm`): the same tolerance idea, a little wider because the synchronised
    /// statistics are summed in another order (and in double precision) than the backend's own;
    /// per-rank statistics (the default) normalise each shard differently and miss by far more.
    func testSynchronisedBatchNormMatchesOneRank() throws {
        let synchronised = try checkTwoRanksMatchOneRank(optimizer: .sgd, tolerance: 1e-4, batchNorm: true, sync: true)
        // The statistics recomputed at each epoch's end (--bn-stats recomputed) are the global batches' too.
        try checkTwoRanksMatchOneRank(optimizer: .sgd, tolerance: 1e-4, batchNorm: true, sync: true, recomputed: true)
        let perRank = try checkTwoRanksMatchOneRank(optimizer: .sgd, tolerance: .infinity, batchNorm: true, sync: false)
        XCTAssertGreaterThan(perRank, 10 * synchronised, "per-rank statistics should differ from the combined batch's")
    }

    @discardableResult
    func checkTwoRanksMatchOneRank(optimizer: OptimizerKind, tolerance: Float, batchNorm: Bool = false, sync: Bool = false,
                                   recomputed: Bool = false) throws -> Float {
        let root = try SyntheticDataset.make(in: self, count: 6, size: 40)
        let base = scratchPath("unet-ranks")
        func configure(_ o: inout TrainingOptions) {
            o.steps = 5
            o.validationFraction = 0.5   // 3 validation images: rank 0 scores 2, rank 1 scores 1
            o.model.batchNorm = batchNorm
            o.syncBatchNorm = sync
            if recomputed { o.batchNormStatistics = .recomputed }
            o.loss = .ce
            o.optimizer = optimizer
            o.learningRate = optimizer == .sgd ? 1e-2 : 3e-3
        }
        var one = options(root, out: base + "/one", batch: 4)
        configure(&one)
        let single = try Trainer(options: one, inferClasses: true)
        single.log = { _ in }
        XCTAssertEqual(try single.run(), .finished)

        let lines = LockedLines()
        let (trainers, reducers, outcomes) = try trainWorld { rank, reducer in
            var o = self.options(root, out: base + "/rank\(rank)", batch: 2)
            configure(&o)
            let t = try Trainer(options: o, inferClasses: true, reducer: reducer)
            t.log = { lines.append(rank, $0) }
            t.progressStyle = .plain
            return t
        }
        XCTAssertEqual(outcomes, [.finished, .finished])

        // The ranks hold bit-identical weights; they match the single rank within the tolerance.
        var worst: Float = 0
        for (((name, a), (_, b)), (_, s)) in zip(zip(trainers[0].model.state, trainers[1].model.state), single.model.state) {
            XCTAssertEqual(a.scalars, b.scalars, "\(name) differs between the ranks")
            let (x, y) = (a.scalars, s.scalars)
            for i in x.indices { worst = max(worst, abs(x[i] - y[i]) / max(1, abs(y[i]))) }
        }
        print("\(optimizer)\(batchNorm ? sync ? ", synchronised batch norm" : ", per-rank batch norm" : "")\(recomputed ? ", statistics recomputed" : ""): 2 ranks × batch 2 vs 1 rank × batch 4 after 5 steps: largest weight difference \(worst) (relative above 1)")
        XCTAssertLessThanOrEqual(worst, tolerance)
        XCTAssertGreaterThan(trainers[0].model.parameters.map { p in
            zip(p.tensor.scalars, UNet(trainers[0].options.model, seed: 3).parameters.first { $0.name == p.name }!.tensor.scalars).map { abs($0 - $1) }.max()!
        }.max()!, 1e-3, "the weights moved")

        // Every parameter was reported final once per step, in the same order on both ranks,
        // and gradients were combined during the backward pass.
        let parameterNames = Set(trainers[0].model.parameters.map(\.name))
        for r in reducers {
            XCTAssertEqual(r.readyOrder.count, 6)
            for step in r.readyOrder.prefix(5) {
                XCTAssertEqual(step.count, parameterNames.count)
                XCTAssertEqual(Set(step), parameterNames)
            }
            XCTAssertGreaterThan(r.bucketsDuringBackward, 0)
        }
        XCTAssertEqual(reducers[0].readyOrder, reducers[1].readyOrder)

        // Only rank 0 wrote the run folder and printed; the loss it logged is the combined batch's.
        let written = try FileManager.default.contentsOfDirectory(atPath: base + "/rank0").filter { !$0.hasPrefix(".") }
        XCTAssertEqual(Set(written), ["options.json", "last.safetensors", "best.safetensors", "metrics.csv"], "curves are the tool's")
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "/rank1"), "rank 1 touched its run folder")
        XCTAssertFalse(lines.of(0).isEmpty)
        XCTAssertEqual(lines.of(1), [])
        func trainLoss(_ folder: String) throws -> Double {
            let csv = try String(contentsOfFile: folder + "/metrics.csv", encoding: .utf8)
            return try XCTUnwrap(Double(csv.split(separator: "\n")[1].split(separator: ",")[2]))
        }
        if !batchNorm || sync {
            XCTAssertEqual(try trainLoss(base + "/rank0"), try trainLoss(base + "/one"), accuracy: 1e-5)
        }

        // The sharded validation, combined over the ranks, gives the numbers of the whole set.
        let source = try XCTUnwrap(trainers[0].validationSource)
        XCTAssertEqual(source.count, 3)
        let whole = try Evaluation.run(model: trainers[0].evaluatedModel, info: trainers[0].info, source: source)
        let row = try XCTUnwrap(trainers[0].metrics.rows.last)
        XCTAssertEqual(row.meanIoU, whole.confusion.meanIoU)
        XCTAssertEqual(row.perClassIoU, whole.confusion.perClassIoU)
        XCTAssertEqual(try XCTUnwrap(row.validationLoss), whole.loss, accuracy: 1e-9)
        // Both ranks made the same `best` decisions (the best epoch need not be the last).
        let best = trainers[0].metrics.rows.compactMap(\.meanIoU).max()
        XCTAssertEqual(trainers[1].state.bestMeanIoU, best)
        XCTAssertEqual(trainers[0].state.bestMeanIoU, best)
        return worst
    }

    /// A stop request on rank 1 alone stops both ranks at the same step; rank 0 saves `last`, with
    /// the batch-norm running statistics averaged over the ranks (both ranks hold the same model).
    func testStopOnOneRankStopsBoth() throws {
        let root = try SyntheticDataset.make(in: self, count: 4, size: 40)
        let base = scratchPath("unet-ranks-stop")
        let (trainers, _, outcomes) = try trainWorld { rank, reducer in
            var o = self.options(root, out: base + "/rank\(rank)", batch: 2)
            o.steps = 6
            let t = try Trainer(options: o, inferClasses: true, reducer: reducer)
            t.log = { _ in }
            if rank == 1 { t.stopAtStep = 2 }
            return t
        }
        XCTAssertEqual(outcomes, [.interrupted(step: 2), .interrupted(step: 2)])
        let saved = try Checkpoint.read(from: base + "/rank0/last.safetensors")
        XCTAssertEqual(saved.training?.step, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "/rank1"))
        XCTAssertFalse(trainers[0].model.buffers.isEmpty)
        for ((name, a), (_, b)) in zip(trainers[0].model.state, trainers[1].model.state) {
            XCTAssertEqual(a.scalars, b.scalars, "\(name) differs between the ranks")
        }
    }

    /// Ranks whose models differ (here: one weight nudged on rank 1 before the first save) are
    /// caught at the save, on every rank, and nothing is saved.
    func testRanksHoldingDifferentWeightsAreCaughtBeforeASave() throws {
        let root = try SyntheticDataset.make(in: self, count: 4, size: 40)
        let base = scratchPath("unet-ranks-agree")
        let world = SharedMemoryWorld(size: 2)
        let trainers = try (0..<2).map { rank -> Trainer in
            var o = self.options(root, out: base + "/rank\(rank)", batch: 2)
            o.steps = 2
            o.validationFraction = 0
            let t = try Trainer(options: o, inferClasses: true, reducer: world.reducer(rank: rank))
            t.log = { _ in }
            return t
        }
        let weight = trainers[1].model.parameters[0].tensor
        var values = weight.scalars
        values[0] += 1e-3
        weight.assign(values)
        let results = world.run { rank in try trainers[rank].run() }
        for (rank, result) in results.enumerated() {
            XCTAssertThrowsError(try result.get(), "rank \(rank)") { error in
                XCTAssertTrue("\(error)".contains("the ranks hold different weights at step 2"), "\(error)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "/rank0/last.safetensors"))
        // Identical models pass, and the fingerprint sees a one-bit change.
        let state = trainers[0].model.state
        // Equal values in other tensors give the same fingerprint; the same values in another
        // order do not.
        let copies = state.map { ($0.name, Tensor(shape: $0.tensor.shape, scalars: $0.tensor.scalars)) }
        XCTAssertEqual(Trainer.fingerprint(copies), Trainer.fingerprint(state))
        XCTAssertNotEqual(Trainer.fingerprint(Array(copies.reversed())), Trainer.fingerprint(state))
        let first = state[0].tensor
        let before = Trainer.fingerprint(state)
        var bits = first.scalars
        bits[0] = Float(bitPattern: bits[0].bitPattern ^ 1)
        first.assign(bits)
        XCTAssertNotEqual(Trainer.fingerprint(state), before)
    }

    final class LockedLines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [Int: [String]] = [:]
        func append(_ rank: Int, _ line: String) { lock.lock(); lines[rank, default: []].append(line); lock.unlock() }
        func of(_ rank: Int) -> [String] { lock.lock(); defer { lock.unlock() }; return lines[rank] ?? [] }
    }
}
