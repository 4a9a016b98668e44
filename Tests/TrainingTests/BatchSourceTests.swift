import Datasets
import Foundation
import NN
import Tensors
import XCTest
@testable import Training
import TestSupport

/// A batch source given to `Trainer` replaces its patch pipeline: the loop asks it for each
/// step in order and trains on what it returns.
final class BatchSourceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// Batches of seeded noise with a fixed class layout; records which steps were asked for.
    final class FakeSource: BatchSource, @unchecked Sendable {
        let size: Int, channels: Int, inputSize: Int, outputSize: Int
        private let lock = NSLock()
        private var asked: [Int] = []
        var requestedSteps: [Int] { lock.lock(); defer { lock.unlock() }; return asked }

        init(size: Int, channels: Int, inputSize: Int, outputSize: Int) {
            (self.size, self.channels, self.inputSize, self.outputSize) = (size, channels, inputSize, outputSize)
        }

        var stepsPerEpoch: Int { 1 }

        func batch(step: Int) throws -> Batch {
            lock.lock(); asked.append(step); lock.unlock()
            var rng = SeededGenerator(seed: 100 + UInt64(step))
            let inputs = (0..<size * channels * inputSize * inputSize).map { _ in Float(rng.next() % 1000) / 1000 }
            let targets = (0..<size * outputSize * outputSize).map { Int32(($0 / outputSize + step) % 2) }
            return Batch(inputs: inputs, targets: targets, weights: nil, size: size, channels: channels, inputSize: inputSize, outputSize: outputSize)
        }
    }

    func testTrainerTrainsOnAnInjectedSource() throws {
        let root = try SyntheticDataset.make(in: self, count: 3, size: 40)
        var o = TrainingOptions()
        o.dataRoot = root
        o.outputDirectory = scratchPath("unet-fake-source")
        o.model.depth = 2
        o.model.baseWidth = 8
        o.model.padding = .valid
        o.validationFraction = 0
        o.patchSize = 60
        o.steps = 3
        o.seed = 5
        let output = try XCTUnwrap(o.model.outputSize(forInput: 60))
        let fake = FakeSource(size: 2, channels: 1, inputSize: 60, outputSize: output)
        let trainer = try Trainer(options: o, inferClasses: true, batches: fake)
        trainer.log = { _ in }

        // The first step's loss, on the fake's first batch, with the trainer's untrained weights.
        let batch = try fake.batch(step: 0)
        let model = UNet(trainer.options.model, seed: trainer.options.seed)
        model.training = true
        let (x, targets, _) = batch.tensors()
        let expected = Tape().record { trainer.loss(model(x), targets: targets) }.scalar

        XCTAssertEqual(try trainer.run(), .finished)
        XCTAssertEqual(fake.requestedSteps, [0, 0, 1, 2], "the loop asks for each step once, in order")
        let csv = try String(contentsOfFile: o.outputDirectory + "/metrics.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.count, 3, "one epoch per step")
        let firstLoss = try XCTUnwrap(Double(rows[0][2]))
        XCTAssertEqual(firstLoss, Double(expected), accuracy: 1e-5)
    }
}
