import Tensors
import XCTest
import TestSupport

/// The optimizers' fused updates and the reductions around them against the reference backend.
/// The same float operations in the same order per element, so updates must be bit-identical;
/// sums of squares are compared in double precision, where summation order hardly matters.
final class OptimizerConformanceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// Gradients of a 16-channel convolution weight come in whatever layout a backend made them.
    static let shapes = [Shape(16, 16, 3, 3), Shape(37), Shape(2, 3, 5, 7)]

    func values(_ s: Shape, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return randomValues(s.count, &rng)
    }

    func testAdamAndAdamWUpdates() {
        for s in Self.shapes {
            for decoupled in [false, true] {
                let r = onBoth { backend -> [[Float]] in
                    let p = Tensor(shape: s, scalars: values(s, seed: 1)), g = Tensor(shape: s, scalars: values(s, seed: 2))
                    let m = Tensor(shape: s, scalars: values(s, seed: 3).map { $0 * 0.1 })
                    let v = Tensor(shape: s, scalars: values(s, seed: 4).map { $0 * $0 })
                    let step = AdamStep(learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05,
                                        decoupled: decoupled, stepSize: 1e-2 / 0.271, c2Root: 0.0595)
                    for _ in 0..<3 { backend.adamUpdate(parameter: p, gradient: g, m: m, v: v, step) }
                    return [p.scalars, m.scalars, v.scalars]
                }
                for (k, name) in ["parameter", "m", "v"].enumerated() {
                    assertMatches(r.tested[k], r.reference[k], tolerance: Tolerance.exact, "adam\(decoupled ? "w" : "") \(name) \(s)")
                }
            }
        }
    }

    func testSGDUpdates() {
        for s in Self.shapes {
            for (momentum, nesterov) in [(Float(0), false), (0.9, false), (0.99, true)] {
                let r = onBoth { backend -> [[Float]] in
                    let p = Tensor(shape: s, scalars: values(s, seed: 5)), g = Tensor(shape: s, scalars: values(s, seed: 6))
                    let buffer = Tensor.zeros(s)
                    for k in 0..<3 {
                        backend.sgdUpdate(parameter: p, gradient: g, buffer: buffer,
                                          SGDStep(learningRate: 0.05, momentum: momentum, nesterov: nesterov, weightDecay: 1e-3, firstStep: k == 0))
                    }
                    return [p.scalars, buffer.scalars]
                }
                assertMatches(r.tested[0], r.reference[0], tolerance: Tolerance.exact, "sgd μ \(momentum) nesterov \(nesterov) \(s)")
                assertMatches(r.tested[1], r.reference[1], tolerance: Tolerance.exact, "sgd buffer \(s)")
            }
        }
    }

    func testReductionsAndScale() {
        for s in Self.shapes {
            var x = values(s, seed: 7)
            x[0] = .nan
            x[x.count / 2] = .infinity
            x[x.count - 1] = -.infinity
            let r = onBoth { backend -> [[Float]] in
                let finite = Tensor(shape: s, scalars: values(s, seed: 8))
                let sum = backend.sumOfSquares(finite)
                backend.scale(finite, by: -0.25)
                return [[Float(backend.countNonFinite(Tensor(shape: s, scalars: x)))], [Float(sum)], finite.scalars]
            }
            XCTAssertEqual(r.tested[0], [3], "non-finite count \(s)")
            XCTAssertEqual(r.reference[0], [3], "non-finite count \(s), reference")
            let expected = values(s, seed: 8).reduce(0.0) { $0 + Double($1) * Double($1) }
            XCTAssertEqual(Double(r.tested[1][0]), expected, accuracy: 1e-6 * expected, "sum of squares \(s)")
            assertMatches(r.tested[2], r.reference[2], tolerance: Tolerance.exact, "scale \(s)")
        }
    }
}
