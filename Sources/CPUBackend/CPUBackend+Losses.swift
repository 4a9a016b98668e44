#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// The losses over softmax probabilities (cross-entropy, Dice, Lovász-softmax) and their
/// backward passes: host loops over plain NCHW memory, pixel by pixel.
extension CPUBackend {
    public func softmaxCrossEntropy(_ logits: Tensor, targets targetsTensor: Tensor, classWeights classWeightsTensor: Tensor?, pixelWeights pixelWeightsTensor: Tensor?)
        -> (loss: Float, weightSum: Double, probabilities: Tensor) {
        let targets = targetsTensor.hostIntegers
        let classWeights = classWeightsTensor?.hostFloats
        let pixelWeights = pixelWeightsTensor?.hostFloats
        let s = logits.shape
        let plane = s.h * s.w
        let x = logits.inLayout(.plain)
        let probs = Tensor(shape: s)
        softmaxChannels(x.pointer, into: probs.pointer, shape: s)
        var total: Double = 0, norm: Double = 0
        for n in 0..<s.n {
            for i in 0..<plane {
                let j = n * plane + i
                let t = Int(targets[j])
                let w = (classWeights?[t] ?? 1) * (pixelWeights?[j] ?? 1)
                // log p from the logits directly, for accuracy when p is tiny.
                var m = -Float.infinity
                for c in 0..<s.c { m = max(m, x.pointer[(n * s.c + c) * plane + i]) }
                var sum: Double = 0
                for c in 0..<s.c { sum += Double(expf(x.pointer[(n * s.c + c) * plane + i] - m)) }
                let logp = Double(x.pointer[(n * s.c + t) * plane + i] - m) - log(sum)
                total += Double(w) * -logp
                norm += Double(w)
            }
        }
        return (norm > 0 ? Float(total / norm) : 0, norm, probs)
    }

    public func softmaxCrossEntropyBackward(probabilities probs: Tensor, targets targetsTensor: Tensor, classWeights classWeightsTensor: Tensor?,
                                            pixelWeights pixelWeightsTensor: Tensor?, scale: Float) -> Tensor {
        let targets = targetsTensor.hostIntegers
        let classWeights = classWeightsTensor?.hostFloats
        let pixelWeights = pixelWeightsTensor?.hostFloats
        let s = probs.shape
        let plane = s.h * s.w
        let dx = Tensor(shape: s)
        for n in 0..<s.n {
            for i in 0..<plane {
                let j = n * plane + i
                let t = Int(targets[j])
                let w = (classWeights?[t] ?? 1) * (pixelWeights?[j] ?? 1) * scale
                for c in 0..<s.c {
                    let k = (n * s.c + c) * plane + i
                    dx.pointer[k] = w * (probs.pointer[k] - (c == t ? 1 : 0))
                }
            }
        }
        return dx
    }
}

extension CPUBackend {
    public func diceSums(probabilities probs: Tensor, targets targetsTensor: Tensor) -> (intersection: [Double], probabilitySum: [Double], targetCount: [Double]) {
        let targets = targetsTensor.hostIntegers
        let s = probs.shape
        let plane = s.h * s.w
        var inter = [Double](repeating: 0, count: s.c), psum = inter, gsum = inter
        for n in 0..<s.n {
            for i in 0..<plane {
                let t = Int(targets[n * plane + i])
                gsum[t] += 1
                for c in 0..<s.c {
                    let p = Double(probs.pointer[(n * s.c + c) * plane + i])
                    psum[c] += p
                    if c == t { inter[c] += p }
                }
            }
        }
        return (inter, psum, gsum)
    }

    public func diceBackward(probabilities probs: Tensor, targets targetsTensor: Tensor, a: [Double], b: [Double]) -> Tensor {
        let targets = targetsTensor.hostIntegers
        let s = probs.shape
        let plane = s.h * s.w
        let dx = Tensor(shape: s)
        var dp = [Float](repeating: 0, count: s.c)
        for n in 0..<s.n {
            for i in 0..<plane {
                let t = Int(targets[n * plane + i])
                for c in 0..<s.c { dp[c] = Float((c == t ? a[c] : 0) + b[c]) }
                var dot: Float = 0
                for c in 0..<s.c { dot += dp[c] * probs.pointer[(n * s.c + c) * plane + i] }
                for c in 0..<s.c {
                    let k = (n * s.c + c) * plane + i
                    dx.pointer[k] = probs.pointer[k] * (dp[c] - dot)
                }
            }
        }
        return dx
    }
}

extension CPUBackend {
    public func lovaszSoftmax(probabilities probs: Tensor, targets targetsTensor: Tensor, present: [Bool]) -> (sum: Double, slopes: Tensor) {
        let targets = targetsTensor.hostIntegers
        let s = probs.shape
        let plane = s.h * s.w
        let count = s.n * plane
        let slopes = Tensor.zeros(Shape(s.c, count))
        var total: Double = 0
        var errors = [Float](repeating: 0, count: count)
        for c in 0..<s.c where present[c] {
            var classPixels = 0
            for n in 0..<s.n {
                for i in 0..<plane {
                    let j = n * plane + i
                    let isClass = Int(targets[j]) == c
                    if isClass { classPixels += 1 }
                    let p = probs.pointer[(n * s.c + c) * plane + i]
                    errors[j] = isClass ? 1 - p : p
                }
            }
            // Ties are broken by index so the order (and so the gradient) is deterministic.
            let order = (0..<count).sorted { errors[$0] != errors[$1] ? errors[$0] > errors[$1] : $0 < $1 }
            let slope = slopes.pointer + c * count
            let g = Double(classPixels)
            var inClass: Double = 0, previous: Double = 0, sum: Double = 0
            for (k, j) in order.enumerated() {
                if Int(targets[j]) == c { inClass += 1 }
                let jaccard = 1 - (g - inClass) / (g + Double(k + 1) - inClass)
                let step = jaccard - previous
                previous = jaccard
                slope[j] = Float(step)
                sum += Double(errors[j]) * step
            }
            total += sum
        }
        return (total, slopes)
    }

    public func lovaszSoftmaxBackward(probabilities probs: Tensor, targets targetsTensor: Tensor, slopes: Tensor, scale: Float) -> Tensor {
        let targets = targetsTensor.hostIntegers
        let s = probs.shape
        let plane = s.h * s.w
        let count = s.n * plane
        let dx = Tensor(shape: s)
        var dp = [Float](repeating: 0, count: s.c)
        for n in 0..<s.n {
            for i in 0..<plane {
                let j = n * plane + i
                let t = Int(targets[j])
                for c in 0..<s.c { let slope = slopes.pointer[c * count + j]; dp[c] = scale * (c == t ? -slope : slope) }
                var dot: Float = 0
                for c in 0..<s.c { dot += dp[c] * probs.pointer[(n * s.c + c) * plane + i] }
                for c in 0..<s.c {
                    let k = (n * s.c + c) * plane + i
                    dx.pointer[k] = probs.pointer[k] * (dp[c] - dot)
                }
            }
        }
        return dx
    }
}
