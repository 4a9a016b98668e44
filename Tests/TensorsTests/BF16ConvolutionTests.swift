import XCTest
import TestSupport
import ReferenceBackend
@testable import Tensors
@testable import CPUBackend

/// The CPU backend's bfloat16 convolutions: with every eligible pass forced to bf16 they match the
/// reference backend's bf16 emulation to float32 summation order (the products of bfloat16 values
/// are exact in float32), and differ from float32 by the inputs' rounding; the conversion rounds
/// to nearest, ties to even; the kernel choice leaves float32 alone.
final class BF16ConvolutionTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    let backend = CPUBackend.shared

    /// Runs `body` with the CPU backend current, in `precision` and `algorithm`, restoring both after.
    func onCPU<R>(_ precision: Precision, _ algorithm: ConvolutionAlgorithm, _ body: () throws -> R) throws -> R {
        if precision == .bf16, let problem = BF16Instructions.detected.problem { throw XCTSkip(problem) }
        let (savedPrecision, savedAlgorithm) = (backend.convolutionPrecision, backend.convolutionAlgorithm)
        try backend.setConvolutionPrecision(precision)
        backend.convolutionAlgorithm = algorithm
        defer {
            try! backend.setConvolutionPrecision(savedPrecision)
            backend.convolutionAlgorithm = savedAlgorithm
        }
        return try Backends.with(backend, body)
    }

    struct Case { let n, cin, cout, h, w, k, stride, pad: Int; let transposed: Bool }

    let cases = [
        Case(n: 2, cin: 32, cout: 16, h: 14, w: 11, k: 3, stride: 1, pad: 0, transposed: false),
        Case(n: 1, cin: 16, cout: 48, h: 9, w: 13, k: 3, stride: 1, pad: 1, transposed: false),
        Case(n: 1, cin: 16, cout: 32, h: 8, w: 8, k: 1, stride: 1, pad: 0, transposed: false),
        Case(n: 2, cin: 32, cout: 16, h: 5, w: 6, k: 2, stride: 2, pad: 0, transposed: true),
    ]

    /// y, dx, dw and db of one case on `backend` (plain values).
    func passes(_ c: Case, on backend: ComputeBackend) -> [[Float]] {
        var rng = SeededGenerator(seed: UInt64(c.cin * 100 + c.cout + c.k))
        let xs = Shape(c.n, c.cin, c.h, c.w)
        let ws = c.transposed ? Shape(c.cin, c.cout, c.k, c.k) : Shape(c.cout, c.cin, c.k, c.k)
        let g = ConvGeometry(stride: c.stride, padding: c.pad)
        let x = Tensor(shape: xs, scalars: randomArray(xs.count, &rng)).inLayout(backend.preferredLayout(channels: c.cin))
        let w = Tensor(shape: ws, scalars: randomArray(ws.count, &rng, scale: 0.3))
        let b = Tensor(shape: Shape(c.cout), scalars: randomArray(c.cout, &rng))
        let y = backend.convolution(x, weight: w, bias: b, geometry: g, transposed: c.transposed)
        let dy = Tensor(shape: y.shape, scalars: randomArray(y.count, &rng)).inLayout(backend.preferredLayout(channels: c.cout))
        let dx = backend.convolutionBackwardData(dy, weight: w, inputShape: xs, inputLayout: x.layout, geometry: g, transposed: c.transposed)
        let (dw, db) = backend.convolutionBackwardWeights(x, dy, weightShape: ws, withBias: true, geometry: g, transposed: c.transposed)
        return [y.scalars, dx.scalars, dw.scalars, db!.scalars]
    }

    func scaledError(_ a: [Float], _ e: [Float]) -> Float {
        let scale = max(1, e.map(abs).max() ?? 0)
        return (zip(a, e).map { abs($0 - $1) }.max() ?? 0) / scale
    }

    func testForcedBF16MatchesTheEmulationAndDiffersFromFloat32() throws {
        let emulation = ReferenceBackend(convolutionPrecision: .bf16), float32 = ReferenceBackend()
        for c in cases {
            let cpu = try onCPU(.bf16, .direct) { passes(c, on: backend) }
            let emulated = Backends.with(emulation) { passes(c, on: emulation) }
            let exact = Backends.with(float32) { passes(c, on: float32) }
            for (i, pass) in ["forward", "backward data", "backward weights", "backward bias"].enumerated() {
                XCTAssertLessThan(scaledError(cpu[i], emulated[i]), 1e-5, "\(pass) \(c): bf16 kernel vs bf16 emulation")
                // The bias gradient sums the float32 output gradient: no rounding in it.
                if i < 3 {
                    XCTAssertGreaterThan(scaledError(cpu[i], exact[i]), 1e-4, "\(pass) \(c): no bfloat16 rounding seen")
                }
                XCTAssertLessThan(scaledError(cpu[i], exact[i]), 2e-2, "\(pass) \(c): bf16 far from float32")
            }
        }
    }

    /// A 1×1 convolution with identity weights returns its input as the kernel saw it: the
    /// conversion to bfloat16 rounds to nearest with ties to even, exactly as `BFloat16.rounded`.
    func testConversionRoundsToNearestEven() throws {
        let ulp: Float = 0x1p-7
        let specials: [Float] = [1 + ulp / 2, 1 + 3 * ulp / 2, -(1 + ulp / 2), 1 + ulp / 2 + 0x1p-20, 3.14159265, 0.1, 1e-30, -7.5]
        var rng = SeededGenerator(seed: 5)
        let xs = Shape(1, 16, 4, 4)
        let values = (0..<xs.count).map { i in i < specials.count ? specials[i] : rng.nextGaussian() * 100 }
        var identity = [Float](repeating: 0, count: 16 * 16)
        for i in 0..<16 { identity[i * 16 + i] = 1 }
        let y = try onCPU(.bf16, .direct) { () -> [Float] in
            let x = Tensor(shape: xs, scalars: values).inLayout(.blocked16)
            return backend.convolution(x, weight: Tensor(shape: Shape(16, 16, 1, 1), scalars: identity), bias: nil,
                                       geometry: ConvGeometry(stride: 1, padding: 0), transposed: false).scalars
        }
        XCTAssertEqual(y, values.map(BFloat16.rounded))
        XCTAssertNotEqual(y, values, "the kernel saw float32 values")
    }

    func testFloat32KeepsTheWinogradPolicy() {
        let g1 = ConvGeometry(stride: 1, padding: 0)
        let saved = backend.convolutionPrecision
        try! backend.setConvolutionPrecision(.fp32)
        defer { try! backend.setConvolutionPrecision(saved) }
        for w in [Shape(64, 64, 3, 3), Shape(128, 64, 3, 3), Shape(16, 1, 3, 3), Shape(32, 16, 1, 1)] {
            for pass in ConvolutionPass.allCases {
                let expected: ConvolutionKernel = backend.convolutionAlgorithm.triesWinograd(weight: w, geometry: g1, transposed: false) && backend.winogradAvailable ? .winograd : .direct
                XCTAssertEqual(backend.kernelCandidates(for: pass, weight: w, geometry: g1, transposed: false), [expected], "\(w) \(pass)")
            }
        }
    }

    /// bf16 only where both channel counts are multiples of 16 (the blocked layout): the image-facing
    /// first convolution and the class head stay float32; the automatic algorithm times the float32
    /// default against bf16.
    func testCandidates() throws {
        let g1 = ConvGeometry(stride: 1, padding: 0), g2 = ConvGeometry(stride: 2, padding: 0)
        try onCPU(.bf16, .auto) {
            XCTAssertEqual(backend.kernelCandidates(for: .forward, weight: Shape(64, 1, 3, 3), geometry: g1, transposed: false), [.direct])
            XCTAssertEqual(backend.kernelCandidates(for: .forward, weight: Shape(2, 64, 1, 1), geometry: g1, transposed: false), [.direct])
            XCTAssertEqual(backend.kernelCandidates(for: .backwardData, weight: Shape(64, 64, 3, 3), geometry: g1, transposed: false), [.winograd, .bf16])
            XCTAssertEqual(backend.kernelCandidates(for: .backwardWeights, weight: Shape(128, 64, 2, 2), geometry: g2, transposed: true), [.direct, .bf16])
        }
        try onCPU(.bf16, .direct) {
            XCTAssertEqual(backend.kernelCandidates(for: .forward, weight: Shape(64, 64, 3, 3), geometry: g1, transposed: false), [.bf16])
            XCTAssertEqual(backend.kernelCandidates(for: .forward, weight: Shape(64, 1, 3, 3), geometry: g1, transposed: false), [.direct])
        }
        try onCPU(.bf16, .winograd) {
            XCTAssertEqual(backend.kernelCandidates(for: .forward, weight: Shape(64, 64, 3, 3), geometry: g1, transposed: false), [.winograd])
            XCTAssertEqual(backend.kernelCandidates(for: .forward, weight: Shape(64, 64, 2, 2), geometry: g2, transposed: true), [.bf16])
        }
    }

    /// The automatic choice times its candidates once per pass and shape, then keeps the choice:
    /// the result is exactly what the chosen kernel computes, on the first call and later ones.
    func testTimedChoiceIsKeptAndComputesWithTheChosenKernel() throws {
        var rng = SeededGenerator(seed: 9)
        let xs = Shape(1, 32, 20, 18), ws = Shape(16, 32, 3, 3)
        let x = randomArray(xs.count, &rng), w = randomArray(ws.count, &rng, scale: 0.2)
        func forward() -> [Float] {
            conv2d(Tensor(shape: xs, scalars: x).inLayout(.blocked16), weight: Tensor(shape: ws, scalars: w)).scalars
        }
        let (first, second, added, after) = try onCPU(.bf16, .auto) { () -> ([Float], [Float], [ConvolutionKernel], Int) in
            let before = backend.timedChoices
            let first = forward()
            let added = backend.timedChoices.filter { before[$0.key] == nil }.map(\.value)
            let count = backend.timedChoices.count
            let second = forward()
            return (first, second, added, backend.timedChoices.count - count)
        }
        XCTAssertEqual(added.count, 1, "one timed choice for the forward pass of this shape")
        XCTAssertEqual(after, 0, "the second call reused the choice")
        XCTAssertEqual(first, second)
        let chosen = try XCTUnwrap(added.first)
        XCTAssertTrue([.winograd, .bf16].contains(chosen), "\(chosen)")
        let forced = try onCPU(.bf16, chosen == .bf16 ? .direct : .winograd) { forward() }
        XCTAssertEqual(first, forced, "the result is the chosen kernel's (\(chosen))")
    }

    func testRefusalNamesTheMissingInstructions() {
        XCTAssertNil(BF16Instructions.avx512.problem)
        XCTAssertNil(BF16Instructions.amx.problem)
        let problem = BF16Instructions.none.problem ?? ""
        XCTAssertTrue(problem.contains("AVX512_BF16") && problem.contains("AMX"), problem)
    }
}
