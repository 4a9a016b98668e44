import Tensors
import XCTest
import TestSupport

/// Activations, sums, axpy and layout conversion against the reference backend. One float
/// operation per element (or none), so the results must be bit-identical. Shapes with 16
/// channels run in oneDNN's blocked layout on the CPU backend.
final class ElementwiseConformanceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    static let shapes = [Shape(2, 3, 5, 7), Shape(1, 16, 3, 5), Shape(37)]

    func tensor(_ s: Shape, seed: UInt64, on backend: ComputeBackend) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let t = Tensor(shape: s, scalars: randomValues(s.count, &rng))
        return s.rank == 4 ? t.inLayout(backend.preferredLayout(channels: s.c)) : t
    }

    func testActivationsAndTheirBackward() {
        for s in Self.shapes {
            for kind in [Activation.relu, .leakyRelu(slope: 0.1)] {
                let r = onBoth { backend -> [[Float]] in
                    let y = backend.activation(tensor(s, seed: 1, on: backend), kind)
                    let dx = backend.activationBackward(tensor(s, seed: 2, on: backend), y: y, kind)
                    return [y.scalars, dx.scalars]
                }
                assertMatches(r.tested[0], r.reference[0], tolerance: Tolerance.exact, "\(kind) \(s)")
                assertMatches(r.tested[1], r.reference[1], tolerance: Tolerance.exact, "\(kind) backward \(s)")
            }
        }
    }

    func testAddAddReLUAccumulateAxpy() {
        for s in Self.shapes {
            let r = onBoth { backend -> [[Float]] in
                let a = tensor(s, seed: 3, on: backend), b = tensor(s, seed: 4, on: backend)
                let sum = backend.add(a, b), sumReLU = backend.addReLU(a, b)
                let acc = tensor(s, seed: 5, on: backend)
                backend.accumulate(into: acc, b)
                // axpy is for plain tensors (optimizer state).
                let p = Tensor(shape: s, scalars: a.scalars), q = Tensor(shape: s, scalars: b.scalars)
                backend.axpy(-0.37, q, into: p)
                return [sum.scalars, sumReLU.scalars, acc.scalars, p.scalars]
            }
            for (k, name) in ["add", "addReLU", "accumulate", "axpy"].enumerated() {
                assertMatches(r.tested[k], r.reference[k], tolerance: Tolerance.exact, "\(name) \(s)")
            }
        }
    }

    /// Plain → blocked → plain is the identity on every backend, and each backend reads the
    /// other's blocked tensors (a tensor may be read while another backend is current).
    func testRelayoutRoundTripsAndCrossesBackends() throws {
        // A device backend's tensors are not host memory another backend could read, and it
        // keeps one layout: there is nothing to cross.
        try XCTSkipIf(underTest.device != .host, "\(underTest.name) is a device backend")
        var rng = SeededGenerator(seed: 6)
        let s = Shape(2, 32, 3, 5)
        let values = randomValues(s.count, &rng)
        for backend in [underTest, oracle] {
            let blocked = backend.relayout(Tensor(shape: s, scalars: values), to: .blocked16)
            XCTAssertEqual(blocked.layout, .blocked16)
            XCTAssertEqual(backend.relayout(blocked, to: .plain).scalars, values, "\(backend.name) round trip")
            for reader in [underTest, oracle] {
                let back = reader.relayout(blocked, to: .plain)
                XCTAssertEqual(Array(back.hostFloats), values, "\(backend.name)'s blocked tensor read by \(reader.name)")
            }
        }
        XCTAssertEqual(oracle.preferredLayout(channels: 16), .plain)
        XCTAssertEqual(oracle.preferredLayout(channels: 3), .plain)
    }
}
