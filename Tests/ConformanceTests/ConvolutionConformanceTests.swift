import Tensors
import XCTest
import TestSupport

/// Convolution, transposed convolution and the fused inference convolution: forward, backward
/// data and backward weights of the backend under test against the reference backend, on odd
/// sizes, 1×1/2×2/3×3 kernels, strides 1–2, padding 0–1, and 1, 3, 16 and 32 channels (multiples
/// of 16 run oneDNN's blocked layouts and Winograd). Inputs arrive in the backend's preferred layout.
final class ConvolutionConformanceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    struct Case: CustomStringConvertible {
        let n, cin, cout, h, w, k, stride, pad: Int
        let bias: Bool
        var description: String { "n\(n) \(cin)→\(cout) \(h)x\(w) k\(k) s\(stride) p\(pad)\(bias ? " bias" : "")" }
    }

    static let convolutions = [
        Case(n: 2, cin: 3, cout: 5, h: 9, w: 7, k: 3, stride: 1, pad: 0, bias: true),
        Case(n: 1, cin: 1, cout: 16, h: 13, w: 11, k: 3, stride: 1, pad: 0, bias: true),
        Case(n: 2, cin: 16, cout: 16, h: 12, w: 10, k: 3, stride: 1, pad: 1, bias: true),
        Case(n: 1, cin: 32, cout: 16, h: 9, w: 9, k: 3, stride: 2, pad: 1, bias: false),
        Case(n: 3, cin: 5, cout: 2, h: 6, w: 7, k: 1, stride: 1, pad: 0, bias: true),
        Case(n: 1, cin: 16, cout: 3, h: 5, w: 6, k: 1, stride: 1, pad: 0, bias: true),
    ]

    static let transposed = [
        Case(n: 2, cin: 8, cout: 4, h: 5, w: 6, k: 2, stride: 2, pad: 0, bias: true),
        Case(n: 1, cin: 32, cout: 16, h: 4, w: 3, k: 2, stride: 2, pad: 0, bias: true),
        Case(n: 1, cin: 3, cout: 5, h: 6, w: 7, k: 3, stride: 1, pad: 1, bias: false),
        Case(n: 2, cin: 1, cout: 3, h: 5, w: 5, k: 3, stride: 2, pad: 0, bias: true),
    ]

    struct Results { var y, dx, dw: [Float]; var db: [Float]? }

    /// The three convolution methods on one case, with seeded inputs (the same on every backend).
    static func run(_ c: Case, transposed t: Bool, on backend: ComputeBackend) -> Results {
        var rng = SeededGenerator(seed: UInt64(c.cin * 1000 + c.cout * 10 + c.k))
        let xs = Shape(c.n, c.cin, c.h, c.w), ws = t ? Shape(c.cin, c.cout, c.k, c.k) : Shape(c.cout, c.cin, c.k, c.k)
        let g = ConvGeometry(stride: c.stride, padding: c.pad)
        let x = Tensor(shape: xs, scalars: randomValues(xs.count, &rng)).inLayout(backend.preferredLayout(channels: c.cin))
        let w = Tensor(shape: ws, scalars: randomValues(ws.count, &rng, scale: 0.3))
        let b = c.bias ? Tensor(shape: Shape(c.cout), scalars: randomValues(c.cout, &rng)) : nil
        let y = backend.convolution(x, weight: w, bias: b, geometry: g, transposed: t)
        let dy = Tensor(shape: y.shape, scalars: randomValues(y.count, &rng)).inLayout(backend.preferredLayout(channels: c.cout))
        let dx = backend.convolutionBackwardData(dy, weight: w, inputShape: xs, inputLayout: x.layout, geometry: g, transposed: t)
        let (dw, db) = backend.convolutionBackwardWeights(x, dy, weightShape: ws, withBias: c.bias, geometry: g, transposed: t)
        XCTAssertEqual(dx.shape, xs)
        XCTAssertEqual(dw.shape, ws)
        return Results(y: y.scalars, dx: dx.scalars, dw: dw.scalars, db: db?.scalars)
    }

    func compare(_ cases: [Case], transposed t: Bool) {
        for c in cases {
            let r = onBoth { Self.run(c, transposed: t, on: $0) }
            let what = "\(t ? "transposed " : "")\(c)"
            assertMatches(r.tested.y, r.reference.y, tolerance: Tolerance.convolution, "forward \(what)")
            assertMatches(r.tested.dx, r.reference.dx, tolerance: Tolerance.convolution, "backward data \(what)")
            assertMatches(r.tested.dw, r.reference.dw, tolerance: Tolerance.convolution, "backward weights \(what)")
            XCTAssertEqual(r.tested.db == nil, !c.bias, "bias gradient presence \(what)")
            if let db = r.tested.db, let ref = r.reference.db {
                assertMatches(db, ref, tolerance: Tolerance.convolution, "backward bias \(what)")
            }
        }
    }

    func testConvolution() { compare(Self.convolutions, transposed: false) }

    func testTransposedConvolution() { compare(Self.transposed, transposed: true) }

    /// Every combination of bias, residual and ReLU against the unfused steps on the reference.
    func testFusedConvolution() {
        for c in Self.convolutions {
            for (residual, relu) in [(false, false), (false, true), (true, false), (true, true)] {
                let r = onBoth { backend -> [Float] in
                    var rng = SeededGenerator(seed: UInt64(c.cin + 7 * c.cout))
                    let xs = Shape(c.n, c.cin, c.h, c.w), ws = Shape(c.cout, c.cin, c.k, c.k)
                    let g = ConvGeometry(stride: c.stride, padding: c.pad)
                    let x = Tensor(shape: xs, scalars: randomValues(xs.count, &rng)).inLayout(backend.preferredLayout(channels: c.cin))
                    let w = Tensor(shape: ws, scalars: randomValues(ws.count, &rng, scale: 0.3))
                    let b = c.bias ? Tensor(shape: Shape(c.cout), scalars: randomValues(c.cout, &rng)) : nil
                    let ys = Shape(c.n, c.cout, g.convOutput(c.h, kernel: c.k, vertical: true), g.convOutput(c.w, kernel: c.k, vertical: false))
                    let res = residual ? Tensor(shape: ys, scalars: randomValues(ys.count, &rng)) : nil
                    return backend.fusedConvolution(x, weight: w, bias: b, geometry: g, residual: res, relu: relu).scalars
                }
                assertMatches(r.tested, r.reference, tolerance: Tolerance.convolution, "fused \(c) residual \(residual) relu \(relu)")
            }
        }
    }

    /// A planning figure, not a value: the reference needs no workspace, and no backend may report
    /// a negative one. (Its use, tile planning, is covered by the Training tests.)
    func testWorkspaceEstimate() {
        for c in Self.convolutions {
            let ws = Shape(c.cout, c.cin, c.k, c.k), g = ConvGeometry(stride: c.stride, padding: c.pad)
            XCTAssertEqual(oracle.convolutionWorkspaceBytesPerPixel(weight: ws, geometry: g, transposed: false), 0)
            XCTAssertGreaterThanOrEqual(underTest.convolutionWorkspaceBytesPerPixel(weight: ws, geometry: g, transposed: false), 0, "\(c)")
        }
    }
}
