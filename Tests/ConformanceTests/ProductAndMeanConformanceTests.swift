import Tensors
import XCTest

/// Elementwise products (dropout's mask), scaling and global average pooling with its backward
/// against the reference backend. Products are one float operation per element: exact. The
/// means are sums over a plane: `Tolerance.normalization`.
final class ProductAndMeanConformanceTests: XCTestCase {
    static let shapes = [Shape(2, 3, 5, 7), Shape(1, 16, 4, 3)]

    func tensor(_ s: Shape, seed: UInt64, on backend: ComputeBackend) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: s, scalars: randomValues(s.count, &rng)).inLayout(backend.preferredLayout(channels: s.c))
    }

    func testMultiplyAndScaled() {
        for s in Self.shapes {
            let r = onBoth { backend -> [[Float]] in
                let a = tensor(s, seed: 1, on: backend)
                // A dropout-like mask in plain layout, multiplied into a (maybe blocked) tensor.
                let mask = Tensor(shape: s, scalars: tensor(s, seed: 2, on: backend).scalars.map { $0 < 0 ? 0 : 1.25 })
                return [backend.multiply(a, mask).scalars, backend.multiply(mask, a).scalars, backend.scaled(a, by: -0.3).scalars]
            }
            for (k, name) in ["multiply", "multiply (plain first)", "scaled"].enumerated() {
                assertMatches(r.tested[k], r.reference[k], tolerance: Tolerance.exact, "\(name) \(s)")
            }
        }
    }

    func testGlobalAveragePoolAndBackward() {
        for s in Self.shapes {
            let r = onBoth { backend -> [[Float]] in
                let y = backend.globalAveragePool(tensor(s, seed: 3, on: backend))
                let dx = backend.globalAveragePoolBackward(tensor(Shape(s.n, s.c, 1, 1), seed: 4, on: backend), inputShape: s)
                return [y.scalars, dx.scalars]
            }
            assertMatches(r.tested[0], r.reference[0], tolerance: Tolerance.normalization, "global average pool \(s)")
            assertMatches(r.tested[1], r.reference[1], tolerance: Tolerance.normalization, "global average pool backward \(s)")
        }
    }
}
