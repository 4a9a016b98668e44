import XCTest
import TestSupport
@testable import Tensors

func randomArray(_ count: Int, _ rng: inout SeededGenerator, scale: Float = 1) -> [Float] {
    (0..<count).map { _ in rng.nextGaussian() * scale }
}

func randomTensor(_ dims: Int..., rng: inout SeededGenerator, scale: Float = 1, requiresGrad: Bool = true) -> Tensor {
    let shape = Shape(dims)
    return Tensor(shape: shape, scalars: randomArray(shape.count, &rng, scale: scale), requiresGrad: requiresGrad)
}

/// Values away from zero (|v| ≥ 0.1), so ReLU's kink is never crossed by a finite-difference step.
func awayFromZero(_ dims: Int..., rng: inout SeededGenerator) -> Tensor {
    let shape = Shape(dims)
    let values = (0..<shape.count).map { _ -> Float in
        let v = rng.nextGaussian()
        return v >= 0 ? v + 0.1 : v - 0.1
    }
    return Tensor(shape: shape, scalars: values, requiresGrad: true)
}

/// Distinct values 0.05 apart in shuffled order: max pooling has no ties a step could flip.
func distinctValues(_ dims: Int..., rng: inout SeededGenerator) -> Tensor {
    let shape = Shape(dims)
    var values = (0..<shape.count).map { Float($0) * 0.05 - Float(shape.count) * 0.025 }
    values.shuffle(using: &rng)
    return Tensor(shape: shape, scalars: values, requiresGrad: true)
}

/// Compares the tape's gradients of L = Σ f(inputs)·r (r fixed random) with central finite
/// differences (step `eps`, L accumulated in Double) at up to `samples` positions per input.
func checkGradients(_ inputs: [Tensor], eps: Float = 1e-2, rtol: Float = 2e-2, atol: Float = 2e-3, samples: Int = 24,
                    file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor]) -> Tensor) {
    if let mismatch = gradientMismatch(inputs, eps: eps, rtol: rtol, atol: atol, samples: samples, f) {
        XCTFail(mismatch, file: file, line: line)
    }
}

