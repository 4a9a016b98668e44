import Tensors
import TestSupport
import XCTest

/// The pullbacks of the ops that call the backend (convolutions, batch norm in both modes and
/// with the fused ReLU, pooling, activations, sums), run on the backend under test, against
/// central finite differences of L = Σ f(inputs)·r for a fixed random r, on small shapes.
/// Step 1e-2 with L summed in Double: the truncation error of these near-linear maps is far below
/// the tolerance (2 % relative + 2e-3 absolute, for float32 rounding of L divided by 2·step);
/// inputs stay away from ReLU kinks and max-pooling ties so that a step never crosses one.
final class PullbackFiniteDifferenceTests: XCTestCase {
    override func setUp() {
        super.setUp()
        TestBackend.install()
        let saved = Backend.current
        Backend.use(underTest)
        addTeardownBlock { Backend.use(saved) }
    }

    func parameter(_ dims: Int..., seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: Shape(dims), scalars: randomValues(Shape(dims).count, &rng, scale: scale), requiresGrad: true)
    }

    /// Values with |v| ≥ 0.1, so a ReLU's kink is never within a step of one.
    func awayFromZero(_ dims: Int..., seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let values = randomValues(Shape(dims).count, &rng).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
        return Tensor(shape: Shape(dims), scalars: values, requiresGrad: true)
    }

    /// Distinct values 0.05 apart, shuffled: max pooling has no tie a step could flip.
    func distinct(_ dims: Int..., seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let count = Shape(dims).count
        var values = (0..<count).map { Float($0) * 0.05 - Float(count) * 0.025 }
        values.shuffle(using: &rng)
        return Tensor(shape: Shape(dims), scalars: values, requiresGrad: true)
    }

    func testConvolutions() {
        let x = parameter(2, 3, 7, 6, seed: 1), w = parameter(4, 3, 3, 3, seed: 2, scale: 0.3), b = parameter(4, seed: 3)
        checkGradients([x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }
        let wide = parameter(1, 16, 5, 5, seed: 4), w16 = parameter(16, 16, 3, 3, seed: 5, scale: 0.1)
        checkGradients([wide, w16]) { conv2d($0[0], weight: $0[1], padding: 1) }
        let xt = parameter(2, 4, 3, 4, seed: 6), wt = parameter(4, 2, 2, 2, seed: 7, scale: 0.3), bt = parameter(2, seed: 8)
        checkGradients([xt, wt, bt]) { convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2) }
        let wt3 = parameter(4, 3, 3, 3, seed: 9, scale: 0.3)
        checkGradients([xt, wt3]) { convTranspose2d($0[0], weight: $0[1], stride: 1, padding: 1) }
    }

    func testBatchNorm() {
        for (training, fused) in [(true, false), (true, true), (false, false)] {
            let x = parameter(2, 3, 4, 5, seed: 10), gamma = parameter(3, seed: 11), beta = parameter(3, seed: 12, scale: 0.3)
            var rng = SeededGenerator(seed: 13)
            let mean = Tensor(shape: Shape(3), scalars: randomValues(3, &rng, scale: 0.2))
            let variance = Tensor(shape: Shape(3), scalars: randomValues(3, &rng).map { 0.5 + abs($0) })
            // The running statistics change on every training forward; finite differences need a fixed function.
            let m0 = mean.scalars, v0 = variance.scalars
            if let problem = gradientMismatch([x, gamma, beta], { inputs in
                mean.assign(m0); variance.assign(v0)
                return batchNorm(inputs[0], gamma: inputs[1], beta: inputs[2], runningMean: mean, runningVariance: variance,
                                 training: training, fusedReLU: fused)
            }) {
                XCTFail("batch norm training \(training) fused ReLU \(fused): \(problem)")
            }
        }
    }

    func testPoolingAndActivations() {
        let x = distinct(2, 2, 7, 5, seed: 20)
        checkGradients([x]) { maxPool2d($0[0], ceilMode: true) }
        checkGradients([x]) { maxPool2d($0[0]) }
        checkGradients([x]) { avgPool2d($0[0], ceilMode: true) }
        let a = awayFromZero(1, 16, 3, 4, seed: 21), b = awayFromZero(1, 16, 3, 4, seed: 22)
        checkGradients([a]) { relu($0[0]) }
        checkGradients([a]) { leakyRelu($0[0], slope: 0.1) }
        checkGradients([a, b]) { $0[0] + $0[1] }
        // addReLU's kink is at a + b = 0: b = a + 0.2·sign keeps the sum away from it.
        let c = Tensor(shape: a.shape, scalars: a.scalars.map { $0 + ($0 > 0 ? 0.2 : -0.2) }, requiresGrad: true)
        checkGradients([a, c]) { addReLU($0[0], $0[1]) }
    }

    func checkGradients(_ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line, _ f: @escaping ([Tensor]) -> Tensor) {
        if let problem = gradientMismatch(inputs, f) { XCTFail(problem, file: file, line: line) }
    }
}
