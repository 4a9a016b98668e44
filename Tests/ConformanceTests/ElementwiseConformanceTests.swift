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

    /// Plain → blocked (or NHWC) → plain is the identity on every backend, and each backend
    /// reads the other's blocked and NHWC tensors (a tensor may be read while another backend is
    /// current), also from one non-plain layout to the other.
    func testRelayoutRoundTripsAndCrossesBackends() throws {
        // A device backend's tensors are not host memory another backend could read (the CUDA
        // backend's own relayout is tested in GPUBackendTests): there is nothing to cross.
        try XCTSkipIf(underTest.device != .host, "\(underTest.name) is a device backend")
        var rng = SeededGenerator(seed: 6)
        let s = Shape(2, 32, 3, 5)
        let values = randomValues(s.count, &rng)
        let layouts = [Layout.blocked16, .blocked8, .channelsLast]
        for (i, layout) in layouts.enumerated() {
            for backend in [underTest, oracle] {
                let laid = backend.relayout(Tensor(shape: s, scalars: values), to: layout)
                XCTAssertEqual(laid.layout, layout)
                XCTAssertEqual(backend.relayout(laid, to: .plain).scalars, values, "\(backend.name) \(layout) round trip")
                for reader in [underTest, oracle] {
                    let back = reader.relayout(laid, to: .plain)
                    XCTAssertEqual(Array(back.hostFloats), values, "\(backend.name)'s \(layout) tensor read by \(reader.name)")
                    let other = layouts[(i + 1) % layouts.count]
                    // Each tensor held in a local: hostFloats points into its storage.
                    let crossed = reader.relayout(laid, to: other), crossedBack = reader.relayout(crossed, to: .plain)
                    XCTAssertEqual(crossed.layout, other)
                    XCTAssertEqual(Array(crossedBack.hostFloats), values, "\(backend.name)'s \(layout) tensor to \(other) by \(reader.name)")
                }
            }
        }
        // NHWC puts channels innermost: element (n, c, h, w) at ((n·H + h)·W + w)·C + c.
        let nhwc = oracle.relayout(Tensor(shape: s, scalars: values), to: .channelsLast)
        let stored: [Float] = Array(nhwc.hostFloats)
        let (n, c, h, w) = (1, 7, 2, 4)
        let nhwcIndex: Int = ((n * s.h + h) * s.w + w) * s.c + c, nchwIndex: Int = ((n * s.c + c) * s.h + h) * s.w + w
        XCTAssertEqual(stored[nhwcIndex], values[nchwIndex])
        XCTAssertEqual(oracle.preferredLayout(channels: 16), .plain)
        XCTAssertEqual(oracle.preferredLayout(channels: 3), .plain)
    }
}
