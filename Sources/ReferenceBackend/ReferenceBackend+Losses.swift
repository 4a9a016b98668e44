#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// The losses over softmax probabilities (cross-entropy, Dice, Lovász-softmax) as the formulas
/// read, per pixel, with sums in Double.
extension ReferenceBackend {
    /// The weight of pixel j with target t.
    func crossEntropyWeight(_ j: Int, _ t: Int, _ classWeights: [Float]?, _ pixelWeights: [Float]?) -> Double {
        Double(classWeights?[t] ?? 1) * Double(pixelWeights?[j] ?? 1)
    }

    public func softmaxCrossEntropy(_ logits: Tensor, targets targetsTensor: Tensor, classWeights classWeightsTensor: Tensor?, pixelWeights pixelWeightsTensor: Tensor?)
        -> (loss: Float, weightSum: Double, probabilities: Tensor) {
        let targets = targetsTensor.integers
        let classWeights = classWeightsTensor?.scalars
        let pixelWeights = pixelWeightsTensor?.scalars
        let x = plain(logits), s = x.shape
        var total: Double = 0, weightSum: Double = 0
        for n in 0..<s.n {
            for i in 0..<(s.h * s.w) {
                let j = n * s.h * s.w + i
                let t = Int(targets[j])
                let w = crossEntropyWeight(j, t, classWeights, pixelWeights)
                // log p_t = x_t − max − log Σ exp(x_k − max)
                let logits = (0..<s.c).map { Double(x.pointer[index(s, n, $0, i)]) }
                let m = logits.max() ?? 0
                let logSum = log(logits.map { exp($0 - m) }.reduce(0, +))
                total += w * -(logits[t] - m - logSum)
                weightSum += w
            }
        }
        return (weightSum > 0 ? Float(total / weightSum) : 0, weightSum, softmax(x))
    }

    public func softmaxCrossEntropyBackward(probabilities: Tensor, targets targetsTensor: Tensor, classWeights classWeightsTensor: Tensor?,
                                            pixelWeights pixelWeightsTensor: Tensor?, scale: Float) -> Tensor {
        let targets = targetsTensor.integers
        let classWeights = classWeightsTensor?.scalars
        let pixelWeights = pixelWeightsTensor?.scalars
        let p = plain(probabilities), s = p.shape
        let dx = Tensor(shape: s)
        for n in 0..<s.n {
            for i in 0..<(s.h * s.w) {
                let j = n * s.h * s.w + i
                let t = Int(targets[j])
                let w = crossEntropyWeight(j, t, classWeights, pixelWeights) * Double(scale)
                for c in 0..<s.c {
                    let k = index(s, n, c, i)
                    dx.pointer[k] = Float(w * (Double(p.pointer[k]) - (c == t ? 1 : 0)))
                }
            }
        }
        return dx
    }

    public func diceSums(probabilities: Tensor, targets targetsTensor: Tensor) -> (intersection: [Double], probabilitySum: [Double], targetCount: [Double]) {
        let targets = targetsTensor.integers
        let p = plain(probabilities), s = p.shape
        var intersection = [Double](repeating: 0, count: s.c), probabilitySum = intersection, targetCount = intersection
        for n in 0..<s.n {
            for i in 0..<(s.h * s.w) {
                let t = Int(targets[n * s.h * s.w + i])
                targetCount[t] += 1
                intersection[t] += Double(p.pointer[index(s, n, t, i)])
                for c in 0..<s.c { probabilitySum[c] += Double(p.pointer[index(s, n, c, i)]) }
            }
        }
        return (intersection, probabilitySum, targetCount)
    }

    public func diceBackward(probabilities: Tensor, targets targetsTensor: Tensor, a: [Double], b: [Double]) -> Tensor {
        let targets = targetsTensor.integers
        let p = plain(probabilities), s = p.shape
        let dx = Tensor(shape: s)
        for n in 0..<s.n {
            for i in 0..<(s.h * s.w) {
                let t = Int(targets[n * s.h * s.w + i])
                let dp = (0..<s.c).map { c in (c == t ? a[c] : 0) + b[c] }
                let probs = (0..<s.c).map { Double(p.pointer[index(s, n, $0, i)]) }
                let dot = zip(dp, probs).reduce(0) { $0 + $1.0 * $1.1 }
                for c in 0..<s.c { dx.pointer[index(s, n, c, i)] = Float(probs[c] * (dp[c] - dot)) }
            }
        }
        return dx
    }

    public func lovaszSoftmax(probabilities: Tensor, targets targetsTensor: Tensor, present: [Bool]) -> (sum: Double, slopes: Tensor) {
        let targets = targetsTensor.integers
        let p = plain(probabilities), s = p.shape
        let plane = s.h * s.w, count = s.n * plane
        let slopes = Tensor.zeros(Shape(s.c, count))
        var total: Double = 0
        for c in 0..<s.c where present[c] {
            // e_j = 1 − p_jc on class-c pixels, p_jc elsewhere.
            let errors: [Float] = (0..<count).map { j in
                let pc = p.pointer[index(s, j / plane, c, j % plane)]
                return Int(targets[j]) == c ? 1 - pc : pc
            }
            let order = (0..<count).sorted { errors[$0] != errors[$1] ? errors[$0] > errors[$1] : $0 < $1 }
            let classPixels = Double(targets.filter { Int($0) == c }.count)
            // J_k = 1 − (G − g_k) / (G + k − g_k) after the k largest errors.
            var inClass: Double = 0, previous: Double = 0
            for (k, j) in order.enumerated() {
                if Int(targets[j]) == c { inClass += 1 }
                let jaccard = 1 - (classPixels - inClass) / (classPixels + Double(k + 1) - inClass)
                slopes.pointer[c * count + j] = Float(jaccard - previous)
                total += Double(errors[j]) * (jaccard - previous)
                previous = jaccard
            }
        }
        return (total, slopes)
    }

    public func lovaszSoftmaxBackward(probabilities: Tensor, targets targetsTensor: Tensor, slopes: Tensor, scale: Float) -> Tensor {
        let targets = targetsTensor.integers
        let p = plain(probabilities), s = p.shape
        let plane = s.h * s.w, count = s.n * plane
        let dx = Tensor(shape: s)
        for j in 0..<count {
            let n = j / plane, i = j % plane, t = Int(targets[j])
            let dp = (0..<s.c).map { c in Double(scale) * Double(slopes.pointer[c * count + j]) * (c == t ? -1 : 1) }
            let probs = (0..<s.c).map { Double(p.pointer[index(s, n, $0, i)]) }
            let dot = zip(dp, probs).reduce(0) { $0 + $1.0 * $1.1 }
            for c in 0..<s.c { dx.pointer[index(s, n, c, i)] = Float(probs[c] * (dp[c] - dot)) }
        }
        return dx
    }
}
