import XCTest
import TestSupport
import ReferenceBackend
@testable import Tensors
@testable import CPUBackend

/// Winograd 3×3 convolutions (the CPU backend's default for multiple-of-16 channels where oneDNN
/// has them: AVX-512) against the plain-loop oracle, forward and both backward passes, and against
/// the direct method. Where oneDNN has no Winograd (AVX2), a Winograd request must compute exactly
/// what the direct method does.
final class WinogradTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    struct Case { let n, cin, cout, h, w, pad: Int }

    let cases = [
        Case(n: 2, cin: 32, cout: 16, h: 22, w: 19, pad: 0),
        Case(n: 1, cin: 16, cout: 48, h: 13, w: 17, pad: 1),
    ]

    /// Runs forward, backward-data and backward-weights under `algorithm`.
    func run(_ c: Case, _ algorithm: ConvolutionAlgorithm, x: [Float], w: [Float], dy: [Float]) -> (y: [Float], dx: [Float], dw: [Float]) {
        let backend = CPUBackend.shared
        let saved = backend.convolutionAlgorithm
        backend.convolutionAlgorithm = algorithm
        defer { backend.convolutionAlgorithm = saved }
        let xs = Shape(c.n, c.cin, c.h, c.w), ws = Shape(c.cout, c.cin, 3, 3)
        let g = ConvGeometry(stride: 1, padding: c.pad)
        let layout = backend.preferredLayout(channels: c.cin)
        let xt = Tensor(shape: xs, scalars: x).inLayout(layout), wt = Tensor(shape: ws, scalars: w)
        let y = conv2d(xt, weight: wt, padding: c.pad)
        let dyt = Tensor(shape: y.shape, scalars: dy)
        let dx = backend.convolutionBackwardData(dyt, weight: wt, inputShape: xs, inputLayout: layout, geometry: g, transposed: false)
        let (dw, _) = backend.convolutionBackwardWeights(xt, dyt, weightShape: ws, withBias: false, geometry: g, transposed: false)
        return (y.scalars, dx.scalars, dw.scalars)
    }

    func testWinogradMatchesReferenceAndDiffersFromDirectOnlyByRounding() {
        var rng = SeededGenerator(seed: 21)
        for c in cases {
            let xs = Shape(c.n, c.cin, c.h, c.w), ws = Shape(c.cout, c.cin, 3, 3)
            let x = randomArray(xs.count, &rng), w = randomArray(ws.count, &rng, scale: 0.3)
            let ref = ReferenceConvolution.forward(x: x, xShape: xs, w: w, wShape: ws, b: nil, stride: 1, padding: c.pad)
            let dy = randomArray(ref.shape.count, &rng)
            let dxRef = ReferenceConvolution.backwardData(dy: dy, dyShape: ref.shape, w: w, wShape: ws, xShape: xs, stride: 1, padding: c.pad)
            let dwRef = ReferenceConvolution.backwardWeights(x: x, xShape: xs, dy: dy, dyShape: ref.shape, wShape: ws, stride: 1, padding: c.pad).dw

            let wino = run(c, .winograd, x: x, w: w, dy: dy)
            assertClose(wino.y, ref.y, atol: 1e-4, rtol: 1e-4, "winograd forward \(c)")
            assertClose(wino.dx, dxRef, atol: 1e-4, rtol: 1e-4, "winograd backward data \(c)")
            assertClose(wino.dw, dwRef, atol: 1e-3, rtol: 1e-4, "winograd backward weights \(c)")

            let direct = run(c, .direct, x: x, w: w, dy: dy)
            if CPUBackend.shared.winogradAvailable {
                // A different algorithm really ran: the results differ from the direct method's, by rounding only.
                XCTAssertNotEqual(wino.y, direct.y, "winograd forward fell back to direct for \(c)")
                XCTAssertNotEqual(wino.dx, direct.dx, "winograd backward data fell back to direct for \(c)")
                XCTAssertNotEqual(wino.dw, direct.dw, "winograd backward weights fell back to direct for \(c)")
            } else {
                // The fallback: exactly the direct method.
                XCTAssertEqual(wino.y, direct.y, "winograd forward without Winograd on this CPU \(c)")
                XCTAssertEqual(wino.dx, direct.dx, "winograd backward data without Winograd on this CPU \(c)")
                XCTAssertEqual(wino.dw, direct.dw, "winograd backward weights without Winograd on this CPU \(c)")
            }
        }
    }

    func testAutoChoosesWinogradOnlyForBlocked3x3StrideOne() {
        let g1 = ConvGeometry(stride: 1), g2 = ConvGeometry(stride: 2)
        XCTAssertTrue(ConvolutionAlgorithm.auto.triesWinograd(weight: Shape(32, 16, 3, 3), geometry: g1, transposed: false))
        XCTAssertFalse(ConvolutionAlgorithm.auto.triesWinograd(weight: Shape(16, 1, 3, 3), geometry: g1, transposed: false))
        XCTAssertFalse(ConvolutionAlgorithm.auto.triesWinograd(weight: Shape(32, 16, 3, 3), geometry: g2, transposed: false))
        XCTAssertFalse(ConvolutionAlgorithm.auto.triesWinograd(weight: Shape(32, 16, 1, 1), geometry: g1, transposed: false))
        XCTAssertFalse(ConvolutionAlgorithm.auto.triesWinograd(weight: Shape(32, 16, 2, 2), geometry: g2, transposed: true))
        XCTAssertFalse(ConvolutionAlgorithm.direct.triesWinograd(weight: Shape(32, 16, 3, 3), geometry: g1, transposed: false))
    }

    /// Winograd is available exactly where oneDNN runs its Winograd kernel, as the backend's record
    /// of implementations shows: AVX-512 has one, AVX2 none (oneDNN 2.6).
    func testWinogradAvailabilityMatchesWhatRuns() {
        let backend = CPUBackend.shared
        var rng = SeededGenerator(seed: 4)
        let c = cases[0]
        let xs = Shape(c.n, c.cin, c.h, c.w), ws = Shape(c.cout, c.cin, 3, 3)
        let x = randomArray(xs.count, &rng), w = randomArray(ws.count, &rng)
        backend.clearImplementationRecord()
        _ = run(c, .winograd, x: x, w: w, dy: randomArray(c.n * c.cout * (c.h - 2) * (c.w - 2), &rng))
        let ran = backend.implementationRecord.executions.keys.filter { $0.kind == "convolution" }.map(\.implementation)
        XCTAssertFalse(ran.isEmpty)
        XCTAssertEqual(ran.contains { $0.contains("wino") }, backend.winogradAvailable,
                       "ran \(ran) on \(backend.instructionSet.name); Winograd available: \(backend.winogradAvailable)")
        XCTAssertEqual(backend.winogradAvailable, backend.instructionSet.hasAVX512 && backend.activationLayout == .blocked16,
                       "oneDNN 2.6 has Winograd for AVX-512 and nChw16c only")
    }
}
