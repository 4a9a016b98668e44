import Tensors
import XCTest
import TestSupport

/// Max and average pooling, floor and ceil mode, forward and backward, against the reference
/// backend. Inputs are distinct values (no ties, so the argmax is unambiguous).
final class PoolingConformanceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    static let cases: [(Shape, PoolGeometry)] = [
        (Shape(2, 3, 8, 6), PoolGeometry()),
        (Shape(1, 16, 7, 9), PoolGeometry(ceilMode: true)),
        (Shape(2, 2, 7, 5), PoolGeometry(ceilMode: false)),
        (Shape(1, 3, 9, 8), PoolGeometry(kernel: 3, stride: 2, ceilMode: true)),
    ]

    func testPoolingForwardAndBackward() {
        for (s, g) in Self.cases {
            for kind in [PoolKind.max, .average] {
                let r = onBoth { backend -> [[Float]] in
                    var rng = SeededGenerator(seed: UInt64(s.count))
                    var values = (0..<s.count).map { Float($0) * 0.01 }
                    values.shuffle(using: &rng)
                    let x = Tensor(shape: s, scalars: values).inLayout(backend.preferredLayout(channels: s.c))
                    let (y, context) = backend.pool(x, kind: kind, geometry: g, training: true)
                    let dy = Tensor(shape: y.shape, scalars: randomValues(y.count, &rng)).inLayout(y.layout)
                    let dx = backend.poolBackward(dy, inputShape: s, inputLayout: x.layout, kind: kind, geometry: g, context: context)
                    return [y.scalars, dx.scalars]
                }
                // Max pooling selects and routes values unchanged; averages round a sum and a division.
                let tolerance = kind == .max ? Tolerance.exact : Tolerance.normalization
                assertMatches(r.tested[0], r.reference[0], tolerance: tolerance, "\(kind) pool forward \(s) \(g)")
                assertMatches(r.tested[1], r.reference[1], tolerance: tolerance, "\(kind) pool backward \(s) \(g)")
            }
        }
    }

    /// Inference mode (no argmax kept) gives the same outputs.
    func testInferencePoolingMatchesTraining() {
        for (s, g) in Self.cases {
            let r = onBoth { backend -> [Float] in
                var rng = SeededGenerator(seed: UInt64(s.count))
                let x = Tensor(shape: s, scalars: randomValues(s.count, &rng)).inLayout(backend.preferredLayout(channels: s.c))
                return backend.pool(x, kind: .max, geometry: g, training: false).y.scalars
            }
            assertMatches(r.tested, r.reference, tolerance: Tolerance.exact, "max pool inference \(s) \(g)")
        }
    }
}
