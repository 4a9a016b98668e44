import Tensors
import XCTest
import TestSupport

/// Batch normalisation: training (batch statistics, with and without the fused ReLU), inference
/// (given statistics) and the backward pass in both modes, against the reference backend. Plain
/// (3 channels) and blocked (16 channels) inputs, an odd spatial size, a nonzero mean.
final class BatchNormConformanceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    static let shapes = [Shape(2, 3, 5, 7), Shape(3, 16, 4, 5)]
    let epsilon: Float = 1e-5

    struct Inputs { let x, gamma, beta, dy: Tensor }

    func inputs(_ s: Shape, on backend: ComputeBackend) -> Inputs {
        var rng = SeededGenerator(seed: UInt64(s.count))
        let layout = backend.preferredLayout(channels: s.c)
        return Inputs(x: Tensor(shape: s, scalars: randomValues(s.count, &rng, scale: 2).map { $0 + 0.5 }).inLayout(layout),
                      gamma: Tensor(shape: Shape(s.c), scalars: randomValues(s.c, &rng).map { 1 + 0.3 * $0 }),
                      beta: Tensor(shape: Shape(s.c), scalars: randomValues(s.c, &rng, scale: 0.5)),
                      dy: Tensor(shape: s, scalars: randomValues(s.count, &rng)).inLayout(layout))
    }

    func testTrainingForwardAndBackward() {
        for s in Self.shapes {
            for fused in [false, true] {
                let r = onBoth { backend -> [[Float]] in
                    let i = inputs(s, on: backend)
                    let f = backend.batchNormTraining(i.x, gamma: i.gamma, beta: i.beta, epsilon: epsilon, fusedReLU: fused)
                    let g = backend.batchNormBackward(i.dy, x: i.x, gamma: i.gamma, beta: i.beta, mean: f.mean, variance: f.variance,
                                                      epsilon: epsilon, statisticsFixed: false, fusedReLU: fused, context: f.context)
                    return [f.y.scalars, f.mean.scalars, f.variance.scalars, g.dx.scalars, g.dgamma.scalars, g.dbeta.scalars]
                }
                for (k, name) in ["y", "mean", "variance", "dx", "dgamma", "dbeta"].enumerated() {
                    assertMatches(r.tested[k], r.reference[k], tolerance: Tolerance.normalization, "training \(name) \(s) fused ReLU \(fused)")
                }
            }
        }
    }

    func testInferenceForwardAndBackward() {
        for s in Self.shapes {
            let r = onBoth { backend -> [[Float]] in
                let i = inputs(s, on: backend)
                var rng = SeededGenerator(seed: 5)
                let mean = Tensor(shape: Shape(s.c), scalars: randomValues(s.c, &rng))
                let variance = Tensor(shape: Shape(s.c), scalars: randomValues(s.c, &rng).map { 0.5 + abs($0) })
                let y = backend.batchNormInference(i.x, gamma: i.gamma, beta: i.beta, mean: mean, variance: variance, epsilon: epsilon)
                let g = backend.batchNormBackward(i.dy, x: i.x, gamma: i.gamma, beta: i.beta, mean: mean, variance: variance,
                                                  epsilon: epsilon, statisticsFixed: true, fusedReLU: false, context: nil)
                return [y.scalars, g.dx.scalars, g.dgamma.scalars, g.dbeta.scalars]
            }
            for (k, name) in ["y", "dx", "dgamma", "dbeta"].enumerated() {
                assertMatches(r.tested[k], r.reference[k], tolerance: Tolerance.normalization, "inference \(name) \(s)")
            }
        }
    }

    /// The running statistics' update: the same three float operations per channel, so exact.
    func testRunningStatisticsUpdate() {
        let c = 7
        let r = onBoth { backend -> [[Float]] in
            var rng = SeededGenerator(seed: 6)
            let mean = Tensor(shape: Shape(c), scalars: randomValues(c, &rng))
            let variance = Tensor(shape: Shape(c), scalars: randomValues(c, &rng).map { 0.5 + abs($0) })
            let batchMean = Tensor(shape: Shape(c), scalars: randomValues(c, &rng))
            let batchVariance = Tensor(shape: Shape(c), scalars: randomValues(c, &rng).map { abs($0) })
            for _ in 0..<3 {
                backend.updateRunningStatistics(mean: mean, variance: variance, batchMean: batchMean, batchVariance: batchVariance,
                                                momentum: 0.1, unbias: 40 / 39)
            }
            return [mean.scalars, variance.scalars]
        }
        assertMatches(r.tested[0], r.reference[0], tolerance: Tolerance.exact, "running mean")
        assertMatches(r.tested[1], r.reference[1], tolerance: Tolerance.exact, "running variance")
    }
}
