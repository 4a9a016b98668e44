import NN
import Tensors
import TestSupport
import Training
import XCTest

/// docs/ARCHITECTURE.md's "How to add a backend", followed for a toy backend outside the core
/// (`CountingBackend`: every call handed to the reference backend and counted). A U-Net's
/// training step and inference run through it with the reference backend's results, bit for
/// bit, and the work really passed through it.
final class ToyBackendTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func step(on backend: ComputeBackend) -> [(String, [Float])] {
        let c = ModelComparison.configuration(.residual)
        let model = UNet(c, seed: 3)
        let n = c.inputSize(forOutputAtLeast: 8), out = c.outputSize(forInput: n)!
        var rng = SeededGenerator(seed: 4)
        let x = Tensor(shape: Shape(2, 1, n, n), scalars: randomValues(2 * n * n, &rng))
        let targets = Tensor(shape: Shape(2, out, out), integers: (0..<(2 * out * out)).map { _ in Int32(rng.next() % 3) })
        model.training = true
        let tape = Tape()
        let loss = tape.record { softmaxCrossEntropy(model(x), targets: targets) + softDiceLoss(model(x), targets: targets) }
        tape.backward(from: loss)
        let optimizer = Adam()
        optimizer.step(model.parameters, learningRate: 1e-2)
        model.training = false
        let logits = Tape.withoutRecording { model(x) }
        return [("loss", loss.scalars), ("eval logits", logits.scalars)] + model.parameters.map { ($0.name, $0.tensor.scalars) }
            + ModelComparison.values(model.buffers)
    }

    func testATrainingStepRunsThroughABackendAddedFromOutside() {
        let toy = CountingBackend()
        let viaToy = Backends.with(toy) { step(on: toy) }
        let reference = Backends.with(Backends.reference) { step(on: Backends.reference) }
        XCTAssertEqual(viaToy.map(\.0), reference.map(\.0))
        for (a, b) in zip(viaToy, reference) { XCTAssertEqual(a.1, b.1, a.0) }
        let calls = toy.calls
        for name in ["allocate", "copyToHost", "copyFromHost", "convolution", "convolutionBackwardData", "convolutionBackwardWeights",
                     "batchNormTraining", "batchNormBackward", "pool", "softmaxCrossEntropy", "diceSums", "adamUpdate", "fusedConvolution"] {
            XCTAssertGreaterThan(calls[name] ?? 0, 0, "\(name) never reached the toy backend: \(calls.keys.sorted())")
        }
    }
}
