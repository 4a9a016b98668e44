import Foundation
import NN
import SafeTensors
import Tensors
import Reports
import XCTest
@testable import Training
import TestSupport

/// The trainer end to end on a small synthetic dataset: it learns, it resumes exactly, its
/// checkpoints round-trip, and divergence is caught.
final class TrainerTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func options(_ root: String, out: String) -> TrainingOptions {
        var o = TrainingOptions()
        o.dataRoot = root
        o.outputDirectory = out
        o.model.depth = 2
        o.model.baseWidth = 8
        o.model.padding = .valid
        o.model.block = .residual
        o.batchSize = 2
        o.patchSize = 44  // → 4×4 output is too small to learn shapes; use a bigger one below
        o.validationFraction = 0.25
        o.elastic = false
        o.seed = 3
        return o
    }

    func testTinyUNetOverfitsToHighIoU() throws {
        let root = try SyntheticDataset.make(in: self, count: 4, size: 48)
        var o = options(root, out: scratchPath("unet-run"))
        o.validationRoot = root          // validate on the training images: this is an overfitting test
        o.patchSize = 76                  // depth 2 valid residual: 76 → 36
        o.steps = 150
        o.learningRate = 3e-3
        o.intensity = false
        let trainer = try Trainer(options: o, inferClasses: true)
        trainer.progressStyle = .plain
        trainer.log = { _ in }
        trainer.epochReport = CurvesReport.write   // as the tool does
        XCTAssertEqual(try trainer.run(), .finished)
        let best = try XCTUnwrap(trainer.state.bestMeanIoU)
        XCTAssertGreaterThanOrEqual(best, 0.95, "mean IoU after 150 steps")
        // The run folder holds what the tool promises.
        let csv = try String(contentsOfFile: o.outputDirectory + "/metrics.csv", encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("epoch,step,train_loss,val_loss,iou_class_0,iou_class_1,mean_iou"))
        XCTAssertEqual(csv.split(separator: "\n").count, 1 + (150 + trainer.batches.stepsPerEpoch - 1) / trainer.batches.stepsPerEpoch)
        let png = try Array(Data(contentsOf: URL(fileURLWithPath: o.outputDirectory + "/curves.png")))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    func testResumedRunMatchesUninterruptedRun() throws { try checkResumeMatchesUninterruptedRun(.running) }

    /// With statistics recomputed at each epoch's end, from batches that are a pure function of
    /// their step: resuming still repeats the run exactly.
    func testResumedRunMatchesUninterruptedRunWithRecomputedStatistics() throws { try checkResumeMatchesUninterruptedRun(.recomputed) }

    func checkResumeMatchesUninterruptedRun(_ statistics: BatchNormStatistics) throws {
        let root = try SyntheticDataset.make(in: self, count: 4, size: 40)
        let base = scratchPath("unet-resume")
        var o = options(root, out: base + "/straight")
        o.batchNormStatistics = statistics
        o.patchSize = 60
        o.epochs = 4
        o.model.dropout = 0.2          // the dropout generator must resume too
        o.elastic = true
        let straight = try Trainer(options: o, inferClasses: true)
        straight.log = { _ in }
        _ = try straight.run()

        // The same run, interrupted mid-epoch (as by Ctrl-C) and resumed from last.safetensors.
        var split = o
        split.outputDirectory = base + "/split"
        let part1 = try Trainer(options: split, inferClasses: true)
        part1.log = { _ in }
        part1.stopAtStep = straight.batches.stepsPerEpoch + 1
        XCTAssertEqual(try part1.run(), .interrupted(step: straight.batches.stepsPerEpoch + 1))
        let checkpoint = try Checkpoint.read(from: part1.lastPath)
        let part2 = try Trainer(options: try XCTUnwrap(checkpoint.runOptions), inferClasses: false, resume: checkpoint)
        part2.log = { _ in }
        XCTAssertEqual(try part2.run(), .finished)

        // The trained weights and their average alike.
        XCTAssertNotNil(straight.average, "the weights are averaged by default")
        for ((name, a), (_, b)) in zip(straight.model.state + straight.evaluatedModel.state, part2.model.state + part2.evaluatedModel.state)
        where a.scalars != b.scalars {
            let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()!
            XCTFail("\(name) differs after resuming (largest difference \(worst))")
        }
        let csvA = try String(contentsOfFile: base + "/straight/metrics.csv", encoding: .utf8)
        let csvB = try String(contentsOfFile: base + "/split/metrics.csv", encoding: .utf8)
        func withoutTimes(_ s: String) -> [String] {
            let rows = s.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let seconds = rows[0].firstIndex(of: "seconds")!
            return rows.map { row in row.enumerated().filter { $0.offset != seconds }.map(\.element).joined(separator: ",") }
        }
        XCTAssertTrue(csvA.hasPrefix("epoch,") && csvA.split(separator: "\n")[0].hasSuffix(",raw_mean_iou"), csvA)
        XCTAssertFalse(csvA.split(separator: "\n")[1].hasSuffix(","), "the training weights are validated beside their average")
        XCTAssertEqual(withoutTimes(csvA), withoutTimes(csvB))
    }

    /// `--workers`: the batches are a function of their step, so 1 or 4 data workers train the
    /// same model to the bit (with elastic deformation, dropout and a partial last epoch).
    func testTheNumberOfDataWorkersDoesNotChangeTheRun() throws {
        let root = try SyntheticDataset.make(in: self, count: 4, size: 40)
        let base = scratchPath("unet-workers")
        var states: [[(String, [Float])]] = []
        for workers in [1, 4] {
            var o = options(root, out: base + "/\(workers)")
            o.patchSize = 60
            o.steps = 7
            o.elastic = true
            o.model.dropout = 0.2
            let trainer = try Trainer(options: o, inferClasses: true)
            trainer.dataWorkers = workers
            var lines: [String] = []
            trainer.log = { lines.append($0) }
            XCTAssertEqual(try trainer.run(), .finished)
            XCTAssertTrue(lines.contains { $0.contains("\(workers) data worker") }, "the log names the workers: \(lines.prefix(2))")
            states.append(trainer.model.state.map { ($0.0, $0.1.scalars) })
        }
        XCTAssertEqual(states[0].count, states[1].count)
        for ((name, a), (_, b)) in zip(states[0], states[1]) {
            XCTAssertEqual(a, b, "\(name) differs between 1 and 4 data workers")
        }
        XCTAssertEqual(Trainer.defaultDataWorkers(device: .host, cores: 64), 1)
        XCTAssertEqual(Trainer.defaultDataWorkers(device: .cuda(0), cores: 16), 8)
        XCTAssertEqual(Trainer.defaultDataWorkers(device: .cuda(0), cores: 6), 4)
        XCTAssertEqual(Trainer.defaultDataWorkers(device: .cuda(0), cores: 2), 1)
    }

    func testCheckpointRoundTripGivesIdenticalOutputs() throws {
        var c = UNetConfiguration()
        c.depth = 2; c.baseWidth = 16; c.block = .preact; c.classes = 3
        let model = UNet(c, seed: 5)
        // Make the batch-norm statistics non-trivial.
        model.training = true
        var rng = SeededGenerator(seed: 1)
        _ = Tape.withoutRecording { model(Tensor.randomNormal(Shape(2, 1, 44, 44), using: &rng)) }
        model.training = false
        let info = ModelInfo(configuration: c, classNames: ["a", "b", "c"], normalization: .init(mean: [0.4], std: [0.2]))
        let path = scratchPath("unet-ck", suffix: ".safetensors")
        try Checkpoint(model: model, info: info).write(to: path)
        let loaded = try Checkpoint.read(from: path)
        XCTAssertEqual(loaded.info, info)
        let copy = try loaded.makeModel()
        let x = Tensor.randomNormal(Shape(1, 1, 60, 60), using: &rng)
        XCTAssertEqual(Tape.withoutRecording { model(x) }.scalars, Tape.withoutRecording { copy(x) }.scalars)
        // The file is plain safetensors with F32 tensors named as the model lists them.
        let file = try SafeTensorsFile(contentsOf: path)
        XCTAssertEqual(Set(file.names), Set(model.state.map(\.name)))
        XCTAssertEqual(file.metadata["format"], Checkpoint.formatTag)
    }

    func testCheckpointErrorsNameTheProblem() throws {
        var c = UNetConfiguration()
        c.depth = 2; c.baseWidth = 8
        var small = UNetConfiguration()
        small.depth = 1; small.baseWidth = 4
        let path = scratchPath("unet-ck", suffix: ".safetensors")
        try Checkpoint(model: UNet(small), info: ModelInfo(configuration: small, normalization: .identity(channels: 1))).write(to: path)
        var ck = try Checkpoint.read(from: path)
        XCTAssertThrowsError(try ck.load(into: UNet(c))) {
            XCTAssertTrue("\($0)".contains("encoder.0.conv1.weight") && "\($0)".contains("[8, 1, 3, 3]"), "\($0)")
        }
        ck.tensors["encoder.0.conv1.weight"] = Tensor.zeros(Shape(3, 3))
        XCTAssertThrowsError(try ck.makeModel(path: path)) { XCTAssertTrue("\($0)".contains("encoder.0.conv1.weight") && "\($0)".contains("[3, 3]")) }
        // Truncated file and a foreign safetensors file.
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let truncated = scratchPath("unet-ck-truncated")
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try Checkpoint.read(from: truncated)) { XCTAssertTrue("\($0)".contains(truncated)) }
        let foreign = scratchPath("unet-ck-foreign", suffix: ".safetensors")
        try SafeTensorsFile(metadata: [:], tensors: ["w": StoredTensor(floats: [1, 2], shape: [2])]).write(to: foreign)
        XCTAssertThrowsError(try Checkpoint.read(from: foreign)) { XCTAssertTrue("\($0)".contains("not a unet checkpoint")) }
    }

    func testDivergenceIsReportedAtItsStep() throws {
        let root = try SyntheticDataset.make(in: self, count: 3, size: 40)
        var o = options(root, out: scratchPath("unet-nan"))
        o.patchSize = 60
        o.steps = 20
        o.learningRate = 3e38   // the first update overflows the weights
        o.model.batchNorm = false   // nothing to renormalise the exploding weights
        o.optimizer = .sgd
        o.loss = .ce
        let trainer = try Trainer(options: o, inferClasses: true)
        trainer.log = { _ in }
        XCTAssertThrowsError(try trainer.run()) { error in
            guard case TrainingError.diverged(let step, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(step, 1)
            XCTAssertLessThanOrEqual(step, 20)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: trainer.bestPath), "a diverged run must not write best")
    }

    func testImpossibleOptionsAreRejectedBeforeWork() throws {
        var o = TrainingOptions()
        o.dataRoot = "/nonexistent"
        o.batchSize = 0
        o.learningRate = -1
        o.patchSize = 20
        let problems = o.problems
        XCTAssertTrue(problems.contains { $0.contains("batch size") })
        XCTAssertTrue(problems.contains { $0.contains("learning rate") })
        XCTAssertTrue(problems.contains { $0.contains("patch size 20 is too small") && $0.contains("smallest valid input is") })
        // Weights that the loss would silently ignore.
        var weighted = TrainingOptions()
        weighted.weightMap = true
        weighted.classWeights = .auto
        XCTAssertTrue(weighted.problems.contains { $0.contains("already weights classes") })
        weighted.classWeights = .none
        XCTAssertTrue(weighted.problems.isEmpty, "\(weighted.problems)")
        for loss in [LossKind.dice, .lovasz] {
            weighted.loss = loss
            XCTAssertTrue(weighted.problems.contains { $0.contains("no cross-entropy term") }, "\(loss)")
        }
        weighted.loss = .ceLovasz
        XCTAssertTrue(weighted.problems.isEmpty, "\(weighted.problems)")
    }
}
