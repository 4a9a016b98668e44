import Tensors
import TestSupport
import XCTest

/// Softmax over channels and weighted softmax cross-entropy, forward and backward, against the
/// reference backend (`Tolerance.softmax`). 16-channel inputs come blocked on the CPU backend.
final class SoftmaxLossConformanceTests: XCTestCase {
    static let shapes = [Shape(2, 3, 5, 7), Shape(1, 16, 4, 3)]

    func tensor(_ s: Shape, seed: UInt64, scale: Float = 1, on backend: ComputeBackend) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: s, scalars: randomValues(s.count, &rng, scale: scale)).inLayout(backend.preferredLayout(channels: s.c))
    }

    func targets(_ s: Shape, seed: UInt64) -> [Int32] {
        var rng = SeededGenerator(seed: seed)
        return (0..<(s.n * s.h * s.w)).map { _ in Int32(rng.nextUnitFloat() * Float(s.c)) % Int32(s.c) }
    }

    func testSoftmaxAndBackward() {
        for s in Self.shapes {
            // Scale 30: logits far apart, where an unstabilised exp would overflow.
            for scale: Float in [1, 30] {
                let r = onBoth { backend -> [[Float]] in
                    let y = backend.softmax(tensor(s, seed: 1, scale: scale, on: backend))
                    let dx = backend.softmaxBackward(tensor(s, seed: 2, on: backend), y: y)
                    return [y.scalars, dx.scalars]
                }
                assertMatches(r.tested[0], r.reference[0], tolerance: Tolerance.softmax, "softmax \(s) scale \(scale)")
                assertMatches(r.tested[1], r.reference[1], tolerance: Tolerance.softmax, "softmax backward \(s) scale \(scale)")
            }
        }
    }

    func testWeightedCrossEntropyAndBackward() {
        for s in Self.shapes {
            let t = targets(s, seed: 3)
            var rng = SeededGenerator(seed: 4)
            let classWeights = (0..<s.c).map { _ in 0.5 + rng.nextUnitFloat() }
            let pixelWeights = t.map { _ in 2 * rng.nextUnitFloat() }
            for (cw, pw) in [(nil, nil), (classWeights, nil), (nil, pixelWeights), (classWeights, pixelWeights)] as [([Float]?, [Float]?)] {
                let r = onBoth { backend -> [[Float]] in
                    let t = labelTensor(t, for: s)
                    let cw = cw.map(classWeightTensor), pw = pw.map { pixelWeightTensor($0, for: s) }
                    let out = backend.softmaxCrossEntropy(tensor(s, seed: 5, scale: 4, on: backend), targets: t,
                                                          classWeights: cw, pixelWeights: pw)
                    let dx = backend.softmaxCrossEntropyBackward(probabilities: out.probabilities, targets: t, classWeights: cw,
                                                                 pixelWeights: pw, scale: 0.75 / Float(out.weightSum))
                    return [[out.loss, Float(out.weightSum)], out.probabilities.scalars, dx.scalars]
                }
                let what = "cross-entropy \(s) class weights \(cw != nil) pixel weights \(pw != nil)"
                assertMatches(r.tested[0], r.reference[0], tolerance: Tolerance.softmax, what)
                assertMatches(r.tested[1], r.reference[1], tolerance: Tolerance.softmax, "\(what) probabilities")
                assertMatches(r.tested[2], r.reference[2], tolerance: Tolerance.softmax, "\(what) backward")
            }
        }
    }

    func testDiceSumsAndBackward() {
        for s in Self.shapes {
            let t = targets(s, seed: 6)
            var rng = SeededGenerator(seed: 7)
            let a = (0..<s.c).map { _ in Double(rng.nextGaussian()) }, b = (0..<s.c).map { _ in Double(rng.nextGaussian()) }
            let r = onBoth { backend -> [[Float]] in
                let t = labelTensor(t, for: s)
                let probs = backend.softmax(tensor(s, seed: 8, scale: 3, on: backend))
                let sums = backend.diceSums(probabilities: probs, targets: t)
                let dx = backend.diceBackward(probabilities: probs, targets: t, a: a, b: b)
                return [sums.intersection.map(Float.init), sums.probabilitySum.map(Float.init), sums.targetCount.map(Float.init), dx.scalars]
            }
            for (k, name) in ["intersection", "probability sum", "target count", "backward"].enumerated() {
                assertMatches(r.tested[k], r.reference[k], tolerance: Tolerance.softmax, "dice \(name) \(s)")
            }
        }
    }

    /// Lovász-softmax. Both backends sort the same fp32 errors (the reference takes them from its
    /// own softmax, so near-ties could order differently: the inputs are spread wide enough).
    func testLovaszAndBackward() {
        for s in Self.shapes {
            let t = targets(s, seed: 9)
            let present = (0..<s.c).map { c in t.contains(Int32(c)) }
            let r = onBoth { backend -> [[Float]] in
                let t = labelTensor(t, for: s)
                let probs = backend.softmax(tensor(s, seed: 10, scale: 3, on: backend))
                let out = backend.lovaszSoftmax(probabilities: probs, targets: t, present: present)
                let dx = backend.lovaszSoftmaxBackward(probabilities: probs, targets: t, slopes: out.slopes, scale: 0.5)
                return [[Float(out.sum)], out.slopes.scalars, dx.scalars]
            }
            for (k, name) in ["sum", "slopes", "backward"].enumerated() {
                assertMatches(r.tested[k], r.reference[k], tolerance: Tolerance.softmax, "lovasz \(name) \(s)")
            }
        }
    }

    /// Class counts, with targets outside the classes counted last: exact.
    func testClassCounts() {
        var rng = SeededGenerator(seed: 11)
        let values = (0..<300).map { _ in Int32(rng.next() % 7) - 1 }  // −1…5, classes 0..<4
        let r = onBoth { backend in backend.classCounts(Tensor(shape: Shape(3, 10, 10), integers: values), classes: 4) }
        XCTAssertEqual(r.tested, r.reference, "class counts [\(underTest.name)]")
        let expected = (0..<4).map { c in values.filter { $0 == Int32(c) }.count } + [values.filter { $0 < 0 || $0 >= 4 }.count]
        XCTAssertEqual(r.reference, expected)
    }
}
