import Foundation
import NN
import SafeTensors
import Tensors
import XCTest
@testable import Training
import TestSupport

/// The moving average of the weights: its decay, its arithmetic, and what the checkpoints hold.
final class WeightAverageTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testDecaySpansAboutATenthOfTheRun() {
        XCTAssertEqual(WeightAverage.decay(afterStep: 0), 0.1, accuracy: 1e-7)
        XCTAssertEqual(WeightAverage.decay(afterStep: 90), 0.91, accuracy: 1e-6)
        XCTAssertEqual(WeightAverage.decay(afterStep: 8990), 0.999, accuracy: 1e-6)
        XCTAssertEqual(WeightAverage.decay(afterStep: 1_000_000), 0.999)
    }

    func testUpdateIsTheMovingAverage() {
        var c = UNetConfiguration()
        c.depth = 2
        c.baseWidth = 4
        let a = UNet(c, seed: 1), b = UNet(c, seed: 2)
        let average = WeightAverage(copying: a)
        for ((_, x), (_, y)) in zip(average.model.state, a.state) { XCTAssertEqual(x.scalars, y.scalars) }
        average.update(from: b, step: 40)
        let d: Float = 41 / 50
        for ((name, m), ((_, x), (_, y))) in zip(average.model.state, zip(a.state, b.state)) {
            for (k, value) in m.scalars.enumerated() {
                XCTAssertEqual(value, d * x.scalars[k] + (1 - d) * y.scalars[k], accuracy: 1e-6, name)
            }
        }
    }

    /// `last` holds the average as its model (what predict and export use) and the trained
    /// weights under `training.raw.`; `best` the average alone; without averaging, neither.
    func testCheckpointsHoldTheAverageAndTheTrainingWeights() throws {
        let root = try SyntheticDataset.make(in: self, count: 4, size: 48)
        for averaging in [true, false] {
            var o = TrainingOptions()
            o.dataRoot = root
            o.outputDirectory = scratchPath("unet-average")
            o.model.depth = 2
            o.model.baseWidth = 4
            o.batchSize = 2
            o.patchSize = 60
            o.validationFraction = 0.25
            o.steps = 12
            o.averageWeights = averaging
            let trainer = try Trainer(options: o, inferClasses: true)
            trainer.log = { _ in }
            XCTAssertEqual(try trainer.run(), .finished)
            let last = try Checkpoint.read(from: trainer.lastPath)
            XCTAssertEqual(last.hasRawWeights, averaging)
            let model = try last.makeModel()
            for ((name, saved), (_, expected)) in zip(model.state, trainer.evaluatedModel.state) {
                XCTAssertEqual(saved.scalars, expected.scalars, name)
            }
            if averaging {
                let raw = UNet(model.configuration)
                try last.load(into: raw, rawWeights: true)
                var differ = false
                for ((name, saved), (_, trained)) in zip(raw.state, trainer.model.state) {
                    XCTAssertEqual(saved.scalars, trained.scalars, name)
                    differ = differ || saved.scalars != model.state.first { $0.name == name }!.tensor.scalars
                }
                XCTAssertTrue(differ, "after 12 steps the average is not the last step's weights")
                let best = try SafeTensorsFile(contentsOf: trainer.bestPath)
                XCTAssertFalse(best.names.contains { $0.hasPrefix("training.") || $0.hasPrefix("optimizer.") })
            } else {
                XCTAssertTrue(trainer.evaluatedModel === trainer.model)
            }
        }
    }
}
