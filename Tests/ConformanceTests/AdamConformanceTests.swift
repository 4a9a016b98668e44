import NN
import Tensors
@testable import Training
import XCTest
import TestSupport

/// Five Adam steps of a tiny U-Net on the backend under test against the reference backend:
/// the losses and every weight and running statistic afterwards.
final class AdamConformanceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    static let learningRate: Float = 1e-3, steps = 5

    /// The model's state after the steps, and the names of the parameters whose first gradient
    /// is float noise (zero in exact arithmetic: an up-convolution bias followed by batch norm).
    func run(on backend: ComputeBackend) -> (state: [(String, [Float])], losses: [Float], noise: Set<String>) {
        let c = ModelComparison.configuration(.plain)
        let model = UNet(c, seed: 5)
        let n = c.inputSize(forOutputAtLeast: 8), out = c.outputSize(forInput: n)!
        var rng = SeededGenerator(seed: 6)
        let x = Tensor(shape: Shape(2, 1, n, n), scalars: randomValues(2 * n * n, &rng))
        let targets = Tensor(shape: Shape(2, out, out), integers: (0..<(2 * out * out)).map { _ in Int32(rng.next() % 3) })
        model.training = true
        let adam = Adam()
        var losses: [Float] = [], noise = Set<String>()
        for step in 0..<Self.steps {
            let tape = Tape()
            let loss = tape.record { softmaxCrossEntropy(model(x), targets: targets) }
            losses.append(loss.scalar)
            tape.backward(from: loss)
            if step == 0 {
                let largest = model.parameters.map { $0.tensor.grad!.scalars.map(abs).max()! }.max()!
                noise = Set(model.parameters.filter { $0.tensor.grad!.scalars.map(abs).max()! < 1e-5 * largest }.map(\.name))
            }
            adam.step(model.parameters, learningRate: Self.learningRate)
            zeroGradients(model.parameters)
        }
        return (ModelComparison.values(model.state), losses, noise)
    }

    func testFiveAdamStepsMatchTheReference() {
        let r = onBoth { run(on: $0) }
        XCTAssertEqual(r.reference.noise, r.tested.noise, "float-noise gradients")
        assertMatches(r.tested.losses, r.reference.losses, tolerance: ModelComparison.tolerance, "losses")
        // Adam divides by the gradient's magnitude, so noise becomes steps of up to ±lr whose sign
        // differs between backends: those tensors may differ by 2·lr per step, and so may the
        // running mean of the batch norm right after them (it averages their output); nothing else may.
        let stateNames = Set(r.reference.state.map(\.0))
        let followers = r.reference.noise.compactMap { name -> String? in
            guard name.hasSuffix(".up.bias") else { return nil }
            let follower = String(name.dropLast(".up.bias".count)) + ".bn1.running_mean"
            return stateNames.contains(follower) ? follower : nil
        }
        let noisy = r.reference.noise.union(followers)
        XCTAssertFalse(followers.isEmpty, "the up-convolution biases before batch norm are float noise")
        let bound = 2 * Self.learningRate * Float(Self.steps)
        for ((name, a), (_, e)) in zip(r.tested.state, r.reference.state) where noisy.contains(name) {
            XCTAssertLessThanOrEqual(zip(a, e).map { abs($0 - $1) }.max() ?? 0, bound, "\(name), a float-noise gradient")
        }
        ModelComparison.assertMatch(r.tested.state.filter { !noisy.contains($0.0) }, r.reference.state.filter { !noisy.contains($0.0) },
                                    tolerance: ModelComparison.tolerance, "\(Self.steps) Adam steps")
    }
}
