import NN
import ReferenceBackend
import Tensors
import TestSupport
import XCTest

/// Mixed precision (`Precision.bf16`): the backend under test, in bf16, against the reference
/// backend's bf16 emulation (convolution inputs and weights rounded to bfloat16, float32
/// accumulation): every convolution pass of the convolution suite's cases, and a U-Net of width 16
/// (whose inner layers have the multiple-of-16 channels that bf16 kernels need) forward and
/// backward. Skipped where the backend or machine refuses bf16.
final class BF16ConformanceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testConvolutionPasses() throws { try ReducedPrecision.convolutionPasses(.bf16, tolerance: Tolerance.bf16Convolution) }
    func testFusedConvolution() throws { try ReducedPrecision.fusedConvolution(.bf16, tolerance: Tolerance.bf16Convolution) }
    func testUNetForwardBackward() throws { try ReducedPrecision.unetForwardBackward(.bf16, tolerance: Tolerance.bf16Model) }
}

/// TensorFloat-32 (`Precision.tf32`, a GPU's tensor cores): the same comparisons against the
/// reference backend's TF32 emulation (convolution inputs and weights rounded to TF32, float32
/// accumulation), with TF32's own tolerances. Skipped where the backend refuses tf32 (the CPU
/// backend: a CPU has no TF32 arithmetic).
final class TF32ConformanceTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testConvolutionPasses() throws { try ReducedPrecision.convolutionPasses(.tf32, tolerance: Tolerance.tf32Convolution) }
    func testFusedConvolution() throws { try ReducedPrecision.fusedConvolution(.tf32, tolerance: Tolerance.tf32Convolution) }
    func testUNetForwardBackward() throws { try ReducedPrecision.unetForwardBackward(.tf32, tolerance: Tolerance.tf32Model) }
}

/// The comparisons of a reduced precision, shared by the bf16 and tf32 suites.
enum ReducedPrecision {
    /// `body` on the backend under test in `precision` and on the reference backend's emulation
    /// of it (its own instance: the shared reference backend stays float32), as `onBoth` does.
    static func onBoth<R>(in precision: Precision, _ body: (ComputeBackend) throws -> R) throws -> (tested: R, reference: R) {
        let backend = underTest
        let emulation = ReferenceBackend(convolutionPrecision: precision)
        let saved = backend.convolutionPrecision
        do {
            try backend.setConvolutionPrecision(precision)
        } catch let error as PrecisionUnavailable {
            throw XCTSkip("\(backend.name): \(error.description)")
        }
        defer { try! backend.setConvolutionPrecision(saved) }
        let tested = try Backends.with(backend) { try body(backend) }
        let reference = try Backends.with(emulation) { try body(emulation) }
        return (tested, reference)
    }

    static func convolutionPasses(_ precision: Precision, tolerance: Float) throws {
        for (cases, t) in [(ConvolutionConformanceTests.convolutions, false), (ConvolutionConformanceTests.transposed, true)] {
            for c in cases {
                let r = try onBoth(in: precision) { ConvolutionConformanceTests.run(c, transposed: t, on: $0) }
                let what = "\(precision) \(t ? "transposed " : "")\(c)"
                assertMatches(r.tested.y, r.reference.y, tolerance: tolerance, "forward \(what)")
                assertMatches(r.tested.dx, r.reference.dx, tolerance: tolerance, "backward data \(what)")
                assertMatches(r.tested.dw, r.reference.dw, tolerance: tolerance, "backward weights \(what)")
                if let db = r.tested.db, let ref = r.reference.db {
                    assertMatches(db, ref, tolerance: tolerance, "backward bias \(what)")
                }
            }
        }
    }

    static func fusedConvolution(_ precision: Precision, tolerance: Float) throws {
        for c in ConvolutionConformanceTests.convolutions {
            let r = try onBoth(in: precision) { backend -> [Float] in
                var rng = SeededGenerator(seed: UInt64(c.cin + 7 * c.cout))
                let xs = Shape(c.n, c.cin, c.h, c.w), ws = Shape(c.cout, c.cin, c.k, c.k)
                let g = ConvGeometry(stride: c.stride, padding: c.pad)
                let x = Tensor(shape: xs, scalars: randomValues(xs.count, &rng)).inLayout(backend.preferredLayout(channels: c.cin))
                let w = Tensor(shape: ws, scalars: randomValues(ws.count, &rng, scale: 0.3))
                let ys = Shape(c.n, c.cout, g.convOutput(c.h, kernel: c.k, vertical: true), g.convOutput(c.w, kernel: c.k, vertical: false))
                let res = Tensor(shape: ys, scalars: randomValues(ys.count, &rng))
                return backend.fusedConvolution(x, weight: w, bias: nil, geometry: g, residual: res, relu: true).scalars
            }
            assertMatches(r.tested, r.reference, tolerance: tolerance, "\(precision) fused \(c)")
        }
    }

    /// A residual U-Net of width 16 with batch norm: logits, loss and every gradient.
    static func unetForwardBackward(_ precision: Precision, tolerance: Float) throws {
        var c = ModelComparison.configuration(.residual)
        c.baseWidth = 16
        let r = try onBoth(in: precision) { _ -> [(String, [Float])] in
            let model = UNet(c, seed: 3)
            let n = c.inputSize(forOutputAtLeast: 8)
            let out = c.outputSize(forInput: n)!
            var rng = SeededGenerator(seed: 4)
            let x = Tensor(shape: Shape(2, 1, n, n), scalars: randomValues(2 * n * n, &rng))
            let targets = Tensor(shape: Shape(2, out, out), integers: (0..<(2 * out * out)).map { _ in Int32(rng.next() % 3) })
            model.training = true
            let tape = Tape()
            var logits: Tensor!
            let loss = tape.record { () -> Tensor in
                logits = model(x)
                return softmaxCrossEntropy(logits, targets: targets)
            }
            tape.backward(from: loss)
            var named: [(String, [Float])] = [("logits", logits.scalars), ("loss", loss.scalars)]
            named += model.parameters.map { ("grad." + $0.name, $0.tensor.grad?.scalars ?? []) }
            model.training = false
            named.append(("eval logits", Tape.withoutRecording { model(x) }.scalars))
            return named
        }
        ModelComparison.assertMatch(r.tested, r.reference, tolerance: tolerance, "\(precision) U-Net")
    }
}
