import Tensors
import TestSupport
import XCTest

/// The backend under test (`UNET_TEST_BACKEND`, default `cpu`) and the oracle.
var underTest: ComputeBackend { Backends.underTest }
var oracle: ComputeBackend { Backends.reference }

/// Runs `body` once on the backend under test and once on the reference backend (each with
/// `Backend.current` set to it) and returns both results, converted to plain values while that
/// backend is still current. `body` must build its own tensors: nothing is shared between the
/// two runs, so no backend can serve the other's tensors from a cache keyed by tensor identity.
func onBoth<R>(_ body: (ComputeBackend) throws -> R) rethrows -> (tested: R, reference: R) {
    let tested = try Backends.with(underTest) { try body(underTest) }
    let reference = try Backends.with(oracle) { try body(oracle) }
    return (tested, reference)
}

/// Largest |actual − expected| over the largest |expected|: an error relative to the tensor's
/// scale, so values that cancel to near zero do not need their own rule, and a tensor of small
/// values (a small gradient) is held to the same relative rule as any other (the scale used to
/// be at least 1, which made every tolerance absolute below 1: a 10% error in a gradient of
/// size 1e-3 passed). The floor is the smallest normal float, for all-zero tensors.
func scaledError(_ actual: [Float], _ expected: [Float]) -> Float {
    let scale = max(Float.leastNormalMagnitude, expected.map(abs).max() ?? 0)
    let diff = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    return diff / scale
}

/// Fails unless the counts agree and `scaledError` is at most `tolerance` (0: bit-identical).
func assertMatches(_ actual: [Float], _ expected: [Float], tolerance: Float, _ what: @autoclosure () -> String,
                   file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        return XCTFail("\(what()): \(actual.count) values, reference \(expected.count)", file: file, line: line)
    }
    if tolerance == 0 {
        if let i = (0..<actual.count).first(where: { actual[$0] != expected[$0] }) {
            XCTFail("\(what()) [\(underTest.name)]: index \(i): \(actual[i]) vs reference \(expected[i]) (exact match expected)", file: file, line: line)
        }
        return
    }
    let error = scaledError(actual, expected)
    if !(error <= tolerance) {
        XCTFail("\(what()) [\(underTest.name)]: error \(error) relative to the tensor's scale, tolerance \(tolerance)", file: file, line: line)
    }
}

func randomValues(_ count: Int, _ rng: inout SeededGenerator, scale: Float = 1) -> [Float] {
    (0..<count).map { _ in rng.nextGaussian() * scale }
}

/// Tolerances, relative to a tensor's scale (`scaledError`), and why.
enum Tolerance {
    /// Additions, ReLU, max pooling, copies between layouts: one float operation or none per
    /// element, rounded the same way everywhere.
    static let exact: Float = 0
    /// Convolutions: the reference sums in Double; fp32 sums of up to a few hundred products
    /// round at ~1e-6 of the scale, and Winograd's transforms (oneDNN's 3×3 default for
    /// multiple-of-16 channels) add a few more bits of rounding: 1e-4 leaves room for both.
    static let convolution: Float = 1e-4
    /// Batch norm and average pooling: a few float operations per element, statistics summed in
    /// fp32 over at most a few thousand elements (~1e-6).
    static let normalization: Float = 1e-5
    /// Softmax, the losses and means over pixels: fp32 exp and fp32 sums over the channels (the
    /// reference uses Double) round at ~1e-7 of the scale per operation; 1e-5 leaves room for
    /// sums over a few thousand pixels.
    static let softmax: Float = 1e-5
    /// bf16 convolutions against the reference's bf16 emulation. Where a backend computes a pass in
    /// bf16, only the float32 summation order differs (~1e-6); but a backend may compute some
    /// passes in float32 where that is faster (the CPU backend's Winograd passes, and layers whose
    /// channels are not multiples of 16), and there the emulation's rounding of the inputs to 8
    /// significant bits (relative 2⁻⁹ each) is the difference: about 1e-3 of the scale for sums of
    /// random-sign products. 1e-2 leaves room for both.
    static let bf16Convolution: Float = 1e-2
    /// A U-Net in bf16 against the emulation: the per-layer differences above, through a dozen
    /// convolutions and batch norms. The worst tensors are the first block's weight gradients,
    /// small ones measured against 1% of the largest gradient (`ModelComparison`'s floor), which
    /// carry the rounding of the output gradient through every layer above: 0.097 measured on the
    /// oneDNN backend (an absolute error of 1e-3 of the largest gradient).
    static let bf16Model: Float = 0.15
    /// TF32 convolutions against the reference's TF32 emulation: as bf16 with 11 significant bits
    /// instead of 8 (relative 2⁻¹² per rounded input, 8× finer), where a backend's algorithm
    /// may still compute some passes in float32 (cuDNN chooses per shape): about 1e-4 of the scale;
    /// 2e-3 leaves the same room as bf16's 1e-2 does.
    static let tf32Convolution: Float = 2e-3
    /// A U-Net in TF32: bf16's model tolerance scaled by TF32's finer rounding (8×), with room.
    static let tf32Model: Float = 0.03
}
