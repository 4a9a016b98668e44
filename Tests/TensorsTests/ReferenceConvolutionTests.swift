import XCTest
import TestSupport
import ReferenceBackend
@testable import Tensors
@testable import CPUBackend

/// The oneDNN convolution paths against the plain-loop oracle on odd shapes: odd sizes, 1×1
/// kernels, 1 and 3 input channels, batch > 1, and blocked (multiple-of-16) channel counts.
final class ReferenceConvolutionTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    struct Case { let n, cin, cout, h, w, k, stride, pad: Int; let bias: Bool }

    let convCases = [
        Case(n: 2, cin: 3, cout: 5, h: 9, w: 7, k: 3, stride: 1, pad: 0, bias: true),
        Case(n: 1, cin: 1, cout: 16, h: 13, w: 11, k: 3, stride: 1, pad: 0, bias: true),
        Case(n: 3, cin: 5, cout: 2, h: 6, w: 7, k: 1, stride: 1, pad: 0, bias: true),
        Case(n: 1, cin: 16, cout: 32, h: 8, w: 9, k: 3, stride: 1, pad: 1, bias: false),
        Case(n: 2, cin: 32, cout: 16, h: 7, w: 7, k: 3, stride: 2, pad: 1, bias: true),
        Case(n: 1, cin: 16, cout: 2, h: 5, w: 5, k: 1, stride: 1, pad: 0, bias: true),
    ]

    func testConvolutionMatchesReference() {
        var rng = SeededGenerator(seed: 11)
        for c in convCases {
            let xs = Shape(c.n, c.cin, c.h, c.w), ws = Shape(c.cout, c.cin, c.k, c.k)
            let x = randomArray(xs.count, &rng), w = randomArray(ws.count, &rng, scale: 0.3)
            let b = c.bias ? randomArray(c.cout, &rng) : nil
            let ref = ReferenceConvolution.forward(x: x, xShape: xs, w: w, wShape: ws, b: b, stride: c.stride, padding: c.pad)
            // Feed the input in the layout the backend would use, to cover blocked inputs too.
            let xt = Tensor(shape: xs, scalars: x).inLayout(CPUBackend.shared.preferredLayout(channels: c.cin))
            let wt = Tensor(shape: ws, scalars: w), bt = b.map { Tensor(shape: Shape(c.cout), scalars: $0) }
            let y = conv2d(xt, weight: wt, bias: bt, stride: c.stride, padding: c.pad)
            XCTAssertEqual(y.shape, ref.shape)
            assertClose(y.scalars, ref.y, atol: 1e-4, rtol: 1e-4, "forward \(c)")

            let dy = randomArray(ref.shape.count, &rng)
            let dyt = Tensor(shape: ref.shape, scalars: dy)
            let dx = CPUBackend.shared.convolutionBackwardData(dyt, weight: wt, inputShape: xs, inputLayout: xt.layout,
                                                               geometry: ConvGeometry(stride: c.stride, padding: c.pad), transposed: false)
            let dxRef = ReferenceConvolution.backwardData(dy: dy, dyShape: ref.shape, w: w, wShape: ws, xShape: xs, stride: c.stride, padding: c.pad)
            assertClose(dx.scalars, dxRef, atol: 1e-4, rtol: 1e-4, "backward data \(c)")

            let (dw, db) = CPUBackend.shared.convolutionBackwardWeights(xt, dyt, weightShape: ws, withBias: c.bias,
                                                                        geometry: ConvGeometry(stride: c.stride, padding: c.pad), transposed: false)
            let wRef = ReferenceConvolution.backwardWeights(x: x, xShape: xs, dy: dy, dyShape: ref.shape, wShape: ws, stride: c.stride, padding: c.pad)
            assertClose(dw.scalars, wRef.dw, atol: 1e-3, rtol: 1e-4, "backward weights \(c)")
            if c.bias { assertClose(db!.scalars, wRef.db, atol: 1e-3, rtol: 1e-4, "backward bias \(c)") }
        }
    }

    let deconvCases = [
        Case(n: 2, cin: 8, cout: 4, h: 5, w: 6, k: 2, stride: 2, pad: 0, bias: true),
        Case(n: 1, cin: 32, cout: 16, h: 4, w: 3, k: 2, stride: 2, pad: 0, bias: true),
        Case(n: 1, cin: 3, cout: 5, h: 6, w: 7, k: 3, stride: 1, pad: 1, bias: false),
        Case(n: 2, cin: 1, cout: 3, h: 5, w: 5, k: 3, stride: 2, pad: 0, bias: true),
    ]

    func testTransposedConvolutionMatchesReference() {
        var rng = SeededGenerator(seed: 12)
        for c in deconvCases {
            let xs = Shape(c.n, c.cin, c.h, c.w), ws = Shape(c.cin, c.cout, c.k, c.k)
            let x = randomArray(xs.count, &rng), w = randomArray(ws.count, &rng, scale: 0.3)
            let b = c.bias ? randomArray(c.cout, &rng) : nil
            let ref = ReferenceConvolution.transposedForward(x: x, xShape: xs, w: w, wShape: ws, b: b, stride: c.stride, padding: c.pad)
            let xt = Tensor(shape: xs, scalars: x).inLayout(CPUBackend.shared.preferredLayout(channels: c.cin))
            let wt = Tensor(shape: ws, scalars: w), bt = b.map { Tensor(shape: Shape(c.cout), scalars: $0) }
            let y = convTranspose2d(xt, weight: wt, bias: bt, stride: c.stride, padding: c.pad)
            XCTAssertEqual(y.shape, ref.shape)
            assertClose(y.scalars, ref.y, atol: 1e-4, rtol: 1e-4, "forward \(c)")

            let dy = randomArray(ref.shape.count, &rng)
            let dyt = Tensor(shape: ref.shape, scalars: dy)
            let g = ConvGeometry(stride: c.stride, padding: c.pad)
            let dx = CPUBackend.shared.convolutionBackwardData(dyt, weight: wt, inputShape: xs, inputLayout: xt.layout, geometry: g, transposed: true)
            assertClose(dx.scalars, ReferenceConvolution.transposedBackwardData(dy: dy, dyShape: ref.shape, w: w, wShape: ws, stride: c.stride, padding: c.pad),
                        atol: 1e-4, rtol: 1e-4, "backward data \(c)")
            let (dw, db) = CPUBackend.shared.convolutionBackwardWeights(xt, dyt, weightShape: ws, withBias: c.bias, geometry: g, transposed: true)
            let wRef = ReferenceConvolution.transposedBackwardWeights(x: x, xShape: xs, dy: dy, dyShape: ref.shape, wShape: ws, stride: c.stride, padding: c.pad)
            assertClose(dw.scalars, wRef.dw, atol: 1e-3, rtol: 1e-4, "backward weights \(c)")
            if c.bias { assertClose(db!.scalars, wRef.db, atol: 1e-3, rtol: 1e-4, "backward bias \(c)") }
        }
    }

    func testRelayoutRoundTripAndDeterminism() {
        var rng = SeededGenerator(seed: 13)
        let x = randomTensor(2, 32, 5, 3, rng: &rng)
        let blocked = x.inLayout(.blocked16)
        XCTAssertEqual(blocked.layout, .blocked16)
        XCTAssertEqual(blocked.scalars, x.scalars)
        // Same inputs, same thread count: bit-identical weight gradients.
        let w = randomTensor(16, 32, 3, 3, rng: &rng)
        let dy = randomTensor(2, 16, 3, 1, rng: &rng)
        let g = ConvGeometry(stride: 1, padding: 0)
        let a = CPUBackend.shared.convolutionBackwardWeights(blocked, dy, weightShape: w.shape, withBias: true, geometry: g, transposed: false)
        let b = CPUBackend.shared.convolutionBackwardWeights(blocked, dy, weightShape: w.shape, withBias: true, geometry: g, transposed: false)
        XCTAssertEqual(a.0.scalars, b.0.scalars)
        XCTAssertEqual(a.1!.scalars, b.1!.scalars)
    }
}

/// A cached re-laid-out weight must never serve a different tensor, even one allocated at the
/// address of a freed weight (folded inference weights are recreated whenever they change).
final class WeightCacheTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testFreshWeightsAreNeverServedFromAStaleEntry() {
        var rng = SeededGenerator(seed: 21)
        let x = Tensor.randomNormal(Shape(1, 16, 6, 6), using: &rng).inLayout(.blocked16)
        for round in 0..<20 {
            let w = Tensor.randomNormal(Shape(16, 16, 3, 3), std: 0.3, using: &rng)
            let fused = conv2dFused(x, weight: w, bias: nil)
            let reference = ReferenceConvolution.forward(x: x.scalars, xShape: x.shape, w: w.scalars, wShape: w.shape, b: nil, stride: 1, padding: 0)
            assertClose(fused.scalars, reference.y, atol: 1e-4, rtol: 1e-4, "round \(round)")
        }
    }
}
