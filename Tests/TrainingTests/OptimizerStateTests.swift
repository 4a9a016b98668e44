import Foundation
import NN
import SafeTensors
import Tensors
import XCTest
@testable import Training
import TestSupport

/// Restored optimizer buffers are checked against their parameters: `step` indexes a buffer by
/// its parameter's size, so a short `exp_avg` or `momentum_buffer` would be written past its end
/// (memory corruption where preconditions are compiled out). Each is a thrown error naming the tensor.
final class OptimizerStateTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func parameters() -> [(name: String, tensor: Tensor)] {
        [("a.weight", Tensor.zeros(Shape(2, 3))), ("a.bias", Tensor.zeros(Shape(2)))]
    }

    func message(_ optimizer: Optimizer, _ state: [String: Tensor]) -> String {
        do {
            try optimizer.restore(state: state, stepCount: 1, parameters: parameters())
        } catch {
            return "\(error)"
        }
        XCTFail("the state was accepted")
        return ""
    }

    func testAdamRefusesShortMissingAndForeignBuffers() {
        let good = ["a.weight.exp_avg": Tensor.zeros(Shape(2, 3)), "a.weight.exp_avg_sq": Tensor.zeros(Shape(2, 3)),
                    "a.bias.exp_avg": Tensor.zeros(Shape(2)), "a.bias.exp_avg_sq": Tensor.zeros(Shape(2))]
        XCTAssertNoThrow(try Adam().restore(state: good, stepCount: 1, parameters: parameters()))
        var short = good
        short["a.weight.exp_avg"] = Tensor.zeros(Shape(2))
        XCTAssertEqual(message(Adam(), short),
                       "tensor 'optimizer.a.weight.exp_avg' has shape [2] (2 values); its parameter 'a.weight' has shape [2, 3] (6 values)")
        var missing = good
        missing["a.bias.exp_avg_sq"] = nil
        XCTAssertEqual(message(Adam(), missing), "tensor 'optimizer.a.bias.exp_avg_sq' is missing")
        var foreign = good
        foreign["b.weight.exp_avg"] = Tensor.zeros(Shape(2))
        XCTAssertEqual(message(Adam(), foreign), "tensor 'optimizer.b.weight.exp_avg' belongs to no parameter of the model")
    }

    func testSGDRefusesShortMomentumBuffers() {
        let good = ["a.weight.momentum_buffer": Tensor.zeros(Shape(2, 3)), "a.bias.momentum_buffer": Tensor.zeros(Shape(2))]
        XCTAssertNoThrow(try SGD().restore(state: good, stepCount: 1, parameters: parameters()))
        var short = good
        short["a.bias.momentum_buffer"] = Tensor.zeros(Shape(1))
        XCTAssertEqual(message(SGD(), short),
                       "tensor 'optimizer.a.bias.momentum_buffer' has shape [1] (1 values); its parameter 'a.bias' has shape [2] (2 values)")
    }

    /// A real training checkpoint whose `exp_avg` tensor was cut short cannot be resumed; the
    /// error names the file and the tensor.
    func testResumingFromTruncatedAdamStateFailsNamingTheTensor() throws {
        let root = try SyntheticDataset.make(in: self, count: 2, size: 40)
        var o = TrainingOptions()
        o.dataRoot = root
        o.outputDirectory = root + "/run"
        o.model.depth = 1
        o.model.baseWidth = 4
        o.patchSize = 20
        o.batchSize = 1
        o.steps = 2
        o.validationFraction = 0
        o.elastic = false
        let trainer = try Trainer(options: o, inferClasses: true)
        trainer.log = { _ in }
        XCTAssertEqual(try trainer.run(), .finished)

        let last = trainer.lastPath
        var file = try SafeTensorsFile(contentsOf: last)
        let name = try XCTUnwrap(file.names.first { $0.hasPrefix("optimizer.") && $0.hasSuffix(".weight.exp_avg") })
        let values = try file.floats(name)
        file.tensors[name] = StoredTensor(floats: Array(values.prefix(3)), shape: [3])
        try file.write(to: last)

        let checkpoint = try Checkpoint.read(from: last)
        XCTAssertThrowsError(try Trainer(options: try XCTUnwrap(checkpoint.runOptions), inferClasses: false, resume: checkpoint)) { error in
            let parameter = String(name.dropFirst("optimizer.".count).dropLast(".exp_avg".count))
            XCTAssertEqual("\(error)", "\(last): tensor '\(name)' has shape [3] (3 values); its parameter '\(parameter)' has shape "
                           + "\(try! file.shape(of: parameter)) (\(values.count) values) (the optimizer state does not match the model)")
        }
    }
}
