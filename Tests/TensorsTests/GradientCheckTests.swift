import XCTest
import TestSupport
@testable import Tensors

/// Every op's gradient against central finite differences (float32, step 1e-2, kinks avoided by
/// construction: inputs kept away from ReLU's zero and max pooling's ties).
final class GradientCheckTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    var rng = SeededGenerator(seed: 7)

    func testConv2dValidWithBias() {
        let x = randomTensor(2, 3, 7, 6, rng: &rng), w = randomTensor(4, 3, 3, 3, rng: &rng, scale: 0.3), b = randomTensor(4, rng: &rng)
        checkGradients([x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2]) }
    }

    func testConv2dPaddedStrided() {
        let x = randomTensor(1, 2, 9, 8, rng: &rng), w = randomTensor(3, 2, 3, 3, rng: &rng, scale: 0.3)
        checkGradients([x, w]) { conv2d($0[0], weight: $0[1], stride: 2, padding: 1) }
    }

    func testConv2dBlockedLayout() {
        let x = randomTensor(1, 16, 6, 5, rng: &rng), w = randomTensor(16, 16, 3, 3, rng: &rng, scale: 0.1), b = randomTensor(16, rng: &rng)
        checkGradients([x, w, b]) { conv2d(conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1), weight: $0[1]) }
    }

    func testConvTranspose2dUpsampling() {
        let x = randomTensor(2, 4, 3, 4, rng: &rng), w = randomTensor(4, 3, 2, 2, rng: &rng, scale: 0.5), b = randomTensor(3, rng: &rng)
        checkGradients([x, w, b]) { convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2) }
    }

    func testConvTranspose2dGeneral() {
        let x = randomTensor(1, 3, 4, 5, rng: &rng), w = randomTensor(3, 16, 3, 3, rng: &rng, scale: 0.3)
        checkGradients([x, w]) { convTranspose2d($0[0], weight: $0[1], stride: 1, padding: 1) }
    }

    func testBatchNormTraining() {
        let x = randomTensor(2, 3, 4, 5, rng: &rng), g = randomTensor(3, rng: &rng), b = randomTensor(3, rng: &rng)
        let mean = Tensor.zeros(Shape(3)), variance = Tensor.filled(1, shape: Shape(3))
        checkGradients([x, g, b], rtol: 3e-2, atol: 5e-3) {
            batchNorm($0[0], gamma: $0[1], beta: $0[2], runningMean: mean, runningVariance: variance, training: true)
        }
    }

    func testBatchNormBlockedTraining() {
        let x = randomTensor(2, 16, 3, 3, rng: &rng), g = randomTensor(16, rng: &rng), b = randomTensor(16, rng: &rng)
        let w = randomTensor(16, 16, 1, 1, rng: &rng, scale: 0.3)
        let mean = Tensor.zeros(Shape(16)), variance = Tensor.filled(1, shape: Shape(16))
        checkGradients([x, g, b], rtol: 3e-2, atol: 5e-3) {
            batchNorm(conv2d($0[0], weight: w), gamma: $0[1], beta: $0[2], runningMean: mean, runningVariance: variance, training: true)
        }
    }

    /// The one-pass BN+ReLU of training mode equals BN followed by ReLU, forward and backward.
    func testFusedBatchNormReLUMatchesComposition() {
        for (c, layout) in [(3, Layout.plain), (16, .blocked16), (8, .blocked8)] {
            let x = randomTensor(2, c, 5, 4, rng: &rng), g = randomTensor(c, rng: &rng), b = randomTensor(c, rng: &rng)
            let dy = randomTensor(2, c, 5, 4, rng: &rng, requiresGrad: false)
            func run(fused: Bool) -> [[Float]] {
                for t in [x, g, b] { t.grad = nil }
                let mean = Tensor.zeros(Shape(c)), variance = Tensor.filled(1, shape: Shape(c))
                let tape = Tape()
                let y = tape.record { () -> Tensor in
                    let input = centerCrop(x, height: 5, width: 4).inLayout(layout)
                    let bn = batchNorm(layout == .plain ? x : input, gamma: g, beta: b, runningMean: mean, runningVariance: variance,
                                       training: true, fusedReLU: fused)
                    return fused ? bn : relu(bn)
                }
                tape.backward(from: y, seed: dy.inLayout(y.layout))
                return [y.scalars, x.grad?.scalars ?? [], g.grad!.scalars, b.grad!.scalars, mean.scalars, variance.scalars]
            }
            let fused = run(fused: true), composed = run(fused: false)
            for (a, e) in zip(fused, composed) { assertClose(a, e, atol: 1e-5, rtol: 1e-5, "fused BN+ReLU, \(layout)") }
        }
    }

    func testBatchNormInference() {
        let x = randomTensor(2, 3, 4, 5, rng: &rng), g = randomTensor(3, rng: &rng), b = randomTensor(3, rng: &rng)
        let mean = Tensor(shape: Shape(3), scalars: [0.1, -0.3, 0.5]), variance = Tensor(shape: Shape(3), scalars: [0.5, 1.5, 2])
        checkGradients([x, g, b]) {
            batchNorm($0[0], gamma: $0[1], beta: $0[2], runningMean: mean, runningVariance: variance, training: false)
        }
    }

    func testReluAndLeakyRelu() {
        let x = awayFromZero(2, 3, 4, 5, rng: &rng)
        checkGradients([x]) { relu($0[0]) }
        checkGradients([x]) { leakyRelu($0[0], slope: 0.1) }
    }

    func testAddReLU() {
        let a = awayFromZero(2, 16, 3, 4, rng: &rng), b = awayFromZero(2, 16, 3, 4, rng: &rng)
        // Keep a + b away from zero too: scale b so sums never cancel to within a step.
        for i in 0..<b.count { b.pointer[i] = a.pointer[i] >= 0 ? abs(b.pointer[i]) : -abs(b.pointer[i]) }
        checkGradients([a, b]) { addReLU($0[0], $0[1]) }
    }

    func testMaxPoolFloorAndCeil() {
        let x = distinctValues(2, 3, 7, 9, rng: &rng)
        checkGradients([x]) { maxPool2d($0[0]) }
        checkGradients([x]) { maxPool2d($0[0], ceilMode: true) }
    }

    func testAvgPoolCeil() {
        let x = randomTensor(2, 3, 7, 9, rng: &rng)
        checkGradients([x]) { avgPool2d($0[0], ceilMode: true) }
    }

    func testAddConcatCropAndReuse() {
        // x is used three times (a U-Net skip pattern): its gradient must be the sum.
        let x = randomTensor(1, 2, 8, 8, rng: &rng), w = randomTensor(2, 2, 3, 3, rng: &rng, scale: 0.3)
        checkGradients([x, w]) { v in
            let y = conv2d(v[0], weight: v[1])
            let skip = centerCrop(v[0], height: 6, width: 6)
            return concatChannels([skip, y]) + concatChannels([y, skip])
        }
    }

    func testConcatAndCropBlocked() {
        let x = randomTensor(2, 16, 7, 7, rng: &rng), w = randomTensor(16, 16, 3, 3, rng: &rng, scale: 0.1)
        checkGradients([x, w]) { v in
            let y = conv2d(v[0], weight: v[1])
            return concatChannels([centerCrop(v[0], height: 5, width: 5), y])
        }
    }

    func testDropoutWithFixedMask() {
        let x = randomTensor(1, 3, 4, 4, rng: &rng)
        checkGradients([x]) { v in
            var r = SeededGenerator(seed: 5)
            return dropout(v[0], probability: 0.3, training: true, rng: &r)
        }
    }

    func testGlobalAvgPoolAndSoftmax() {
        let x = randomTensor(2, 4, 3, 5, rng: &rng)
        checkGradients([x]) { globalAvgPool($0[0]) }
        checkGradients([x]) { softmax($0[0]) }
    }

    func testCrossEntropyWithWeights() {
        let x = randomTensor(2, 3, 4, 5, rng: &rng)
        let targets = labelTensor((0..<40).map { _ in Int32(rng.next() % 3) }, for: x.shape)
        let pixel = pixelWeightTensor((0..<40).map { _ in 0.5 + rng.nextUnitFloat() * 3 }, for: x.shape)
        checkGradients([x]) { softmaxCrossEntropy($0[0], targets: targets) }
        checkGradients([x]) { softmaxCrossEntropy($0[0], targets: targets, classWeights: classWeightTensor([0.3, 1, 2.5]), pixelWeights: pixel) }
    }

    func testSoftDice() {
        let x = randomTensor(2, 3, 4, 5, rng: &rng)
        let targets = labelTensor((0..<40).map { _ in Int32(rng.next() % 3) }, for: x.shape)
        checkGradients([x]) { softDiceLoss($0[0], targets: targets) }
    }

    func testLovaszSoftmax() {
        // Piecewise linear in the sorted errors: finite differences hold between kinks.
        let x = randomTensor(2, 3, 4, 5, rng: &rng)
        let targets = labelTensor((0..<40).map { _ in Int32(rng.next() % 3) }, for: x.shape)
        checkGradients([x]) { lovaszSoftmaxLoss($0[0], targets: targets) }
    }

    /// Exact values worked out by hand from the definition.
    func testLovaszSoftmaxExactValues() {
        // Two pixels of class 0, two of class 1, logits ±20: errors ≈ 0, loss ≈ 0.
        let targets = labelTensor([0, 0, 1, 1], for: Shape(1, 2, 2, 2))
        let perfect = Tensor(shape: Shape(1, 2, 2, 2), scalars: [20, 20, -20, -20, -20, -20, 20, 20])
        XCTAssertEqual(lovaszSoftmaxLoss(perfect, targets: targets).scalar, 0, accuracy: 1e-6)
        // Uniform probabilities (logits 0): every error is ½. Per class, the sorted ΔJ sum to the
        // Jaccard loss of getting every pixel wrong, 1, so the loss is ½·1 = ½ exactly.
        let uniform = Tensor(shape: Shape(1, 2, 2, 2), scalars: Array(repeating: 0, count: 8))
        XCTAssertEqual(lovaszSoftmaxLoss(uniform, targets: targets).scalar, 0.5, accuracy: 1e-6)
        // Everything predicted class 0 with certainty: class 0's errors are 1, 1 on the class-1
        // pixels (sorted first: J = 1 − 2/3 = ⅓, then 1 − 2/4 = ½, so ΔJ = ⅓, ⅙ → loss ½) and 0 on
        // its own; class 1 errs 1 on its own two pixels (J = ½, then 1 → loss 1). Mean: ¾.
        let allZero = Tensor(shape: Shape(1, 2, 2, 2), scalars: [20, 20, 20, 20, -20, -20, -20, -20])
        XCTAssertEqual(lovaszSoftmaxLoss(allZero, targets: targets).scalar, 0.75, accuracy: 1e-6)
    }

    func testScaledSumOfLosses() {
        let x = randomTensor(1, 2, 3, 3, rng: &rng)
        let targets = labelTensor((0..<9).map { _ in Int32(rng.next() % 2) }, for: x.shape)
        checkGradients([x]) { softmaxCrossEntropy($0[0], targets: targets) + softDiceLoss($0[0], targets: targets) * 0.5 }
    }

    /// The checker itself must be able to fail: a deliberately wrong pullback is caught.
    func testCheckerCatchesAWrongGradient() {
        let x = randomTensor(1, 1, 3, 3, rng: &rng)
        func wrongDouble(_ x: Tensor) -> Tensor {
            let y = x + x
            let out = Tensor(shape: y.shape, scalars: y.scalars)
            Tape.record(out, inputs: [x]) { dy in [dy] }  // true gradient is 2·dy
            return out
        }
        XCTAssertNotNil(gradientMismatch([x]) { wrongDouble($0[0]) })
        XCTAssertNil(gradientMismatch([x]) { $0[0] + $0[0] })
    }
}

/// Dropout cannot be compared with PyTorch (its mask comes from our generator); its contract is
/// checked directly: a seeded mask, kept values scaled by exactly 1/(1 − p), identity at inference.
final class DropoutTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testDropoutScalesKeptValuesAndDropsAboutP() {
        let x = Tensor.filled(2, shape: Shape(4, 8, 16, 16))
        var rng = SeededGenerator(seed: 3)
        let y = dropout(x, probability: 0.25, training: true, rng: &rng).scalars
        let dropped = y.filter { $0 == 0 }.count
        XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 / 0.75 })
        XCTAssertEqual(Double(dropped) / Double(y.count), 0.25, accuracy: 0.02)
        var again = SeededGenerator(seed: 3)
        XCTAssertEqual(dropout(x, probability: 0.25, training: true, rng: &again).scalars, y, "same seed, same mask")
        XCTAssertTrue(dropout(x, probability: 0.25, training: false, rng: &rng) === x)
    }
}
