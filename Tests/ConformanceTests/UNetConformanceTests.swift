import NN
import Tensors
import XCTest
import TestSupport

/// A tiny U-Net of every block kind, forward (training and eval mode, which folds batch norm into
/// fused convolutions) and backward, on the backend under test against the reference backend:
/// logits, loss, every parameter gradient and the running statistics after the forward.
final class UNetConformanceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func run(_ block: BlockKind, on backend: ComputeBackend) -> [(String, [Float])] {
        let c = ModelComparison.configuration(block)
        let model = UNet(c, seed: 3)
        let n = c.inputSize(forOutputAtLeast: 8)
        let out = c.outputSize(forInput: n)!
        var rng = SeededGenerator(seed: 4)
        let x = Tensor(shape: Shape(2, 1, n, n), scalars: randomValues(2 * n * n, &rng))
        let targets = Tensor(shape: Shape(2, out, out), integers: (0..<(2 * out * out)).map { _ in Int32(rng.next() % 3) })
        // Batch norm parameters away from their identity start, so their gradients are generic.
        for (name, p) in model.parameters where name.contains("bn") {
            p.assign(p.scalars.map { _ in (name.hasSuffix("weight") ? 1 : 0) + 0.2 * rng.nextGaussian() })
        }
        model.training = true
        let tape = Tape()
        var logits: Tensor!
        let loss = tape.record { () -> Tensor in
            logits = model(x)
            return softmaxCrossEntropy(logits, targets: targets)
        }
        tape.backward(from: loss)
        var named: [(String, [Float])] = [("input size \(n)", [Float(n)]), ("logits", logits.scalars), ("loss", loss.scalars)]
        named += model.parameters.map { ("grad." + $0.name, $0.tensor.grad?.scalars ?? []) }
        named += ModelComparison.values(model.buffers)
        model.training = false
        named.append(("eval logits", Tape.withoutRecording { model(x) }.scalars))
        return named
    }

    func check(_ block: BlockKind) {
        let r = onBoth { run(block, on: $0) }
        ModelComparison.assertMatch(r.tested, r.reference, tolerance: ModelComparison.tolerance, "U-Net \(block)")
    }

    func testPlain() { check(.plain) }
    func testResidual() { check(.residual) }
    func testPreActivation() { check(.preact) }
    func testBottleneck() { check(.bottleneck) }
}
