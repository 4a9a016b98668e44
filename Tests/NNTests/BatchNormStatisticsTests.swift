import NN
import TestSupport
import Tensors
import XCTest

/// Recomputed ("precise") batch-norm statistics: each layer's running mean and variance become
/// the plain average of what the batches give it, and nothing else about the model changes.
final class BatchNormStatisticsTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testStatisticsAreTheAverageOverTheBatches() {
        var c = UNetConfiguration()
        // No dropout here: its masks differ from pass to pass, and with them the statistics of
        // the layers after it (the generator is checked below).
        c.depth = 2; c.baseWidth = 8; c.block = .residual
        let model = UNet(c, seed: 2)
        var rng = SeededGenerator(seed: 9)
        // Batches of different brightness, so that their statistics differ.
        let inputs = (0..<3).map { k in Tensor(shape: Shape(2, 1, 60, 60), scalars: (0..<7200).map { _ in rng.nextGaussian() + Float(k) }) }

        // Each batch alone (momentum 1 replaces the statistics with that batch's).
        var perBatch: [[String: [Float]]] = []
        for x in inputs {
            model.recomputeBatchNormStatistics([x])
            perBatch.append(Dictionary(uniqueKeysWithValues: model.buffers.map { ($0.name, $0.tensor.scalars) }))
        }
        model.training = false
        model.recomputeBatchNormStatistics(inputs)
        XCTAssertFalse(model.training, "the mode is restored")
        XCTAssertNil(model.mode.statisticsMomentum)
        for (name, t) in model.buffers {
            let expected = (0..<perBatch[0][name]!.count).map { i in perBatch.map { $0[name]![i] }.reduce(0, +) / 3 }
            let worst = zip(t.scalars, expected).map { abs($0 - $1) / max(1, abs($1)) }.max()!
            XCTAssertLessThan(worst, 1e-5, "\(name): not the average of the three batches' statistics")
        }
        // The batches really differ: the average is not any one of them.
        let name = model.buffers[0].name
        XCTAssertNotEqual(perBatch[0][name]!, perBatch[2][name]!)
    }

    func testTheDropoutGeneratorIsRestored() {
        var c = UNetConfiguration()
        c.depth = 2; c.baseWidth = 8; c.dropout = 0.3
        let model = UNet(c, seed: 2)
        model.training = true
        var rng = SeededGenerator(seed: 1)
        let generator = model.mode.rng
        model.recomputeBatchNormStatistics([Tensor.randomNormal(Shape(1, 1, 60, 60), using: &rng)])
        XCTAssertEqual(model.mode.rng, generator, "training continues with the same dropout stream")
        XCTAssertTrue(model.training)
    }
}
