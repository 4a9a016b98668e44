import Tensors

/// Batch normalisation per channel over (N, H, W), statistics in Double:
/// y = gamma·(x − mean)/√(variance + ε) + beta, then ReLU when fused.
extension ReferenceBackend {
    /// Visits every (n, h, w) element of channel c of a plain NCHW tensor by its flat index.
    private func forEachInChannel(_ s: Shape, _ c: Int, _ body: (Int) -> Void) {
        let plane = s.h * s.w
        for n in 0..<s.n { for k in 0..<plane { body((n * s.c + c) * plane + k) } }
    }

    public func batchNormTraining(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float, fusedReLU: Bool)
        -> (y: Tensor, mean: Tensor, variance: Tensor, context: AnyObject?) {
        let x = plain(x)
        let s = x.shape, m = Double(s.n * s.h * s.w)
        let mean = Tensor(shape: Shape(s.c)), variance = Tensor(shape: Shape(s.c))
        for c in 0..<s.c {
            var sum: Double = 0
            forEachInChannel(s, c) { sum += Double(x.pointer[$0]) }
            let mu = sum / m
            var squares: Double = 0
            forEachInChannel(s, c) { let d = Double(x.pointer[$0]) - mu; squares += d * d }
            mean.pointer[c] = Float(mu)
            variance.pointer[c] = Float(squares / m)   // biased, as the normalisation uses
        }
        let y = normalize(x, gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon, relu: fusedReLU)
        // No context: the backward pass recomputes the fused ReLU's mask from x and the statistics.
        return (y, mean, variance, nil)
    }

    public func batchNormInference(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> Tensor {
        normalize(plain(x), gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon, relu: false)
    }

    private func normalize(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float, relu: Bool) -> Tensor {
        let s = x.shape
        let y = Tensor(shape: s)
        for c in 0..<s.c {
            let invStd = 1 / (Double(variance.pointer[c]) + Double(epsilon)).squareRoot()
            let (mu, g, b) = (Double(mean.pointer[c]), Double(gamma.pointer[c]), Double(beta.pointer[c]))
            forEachInChannel(s, c) {
                let v = Float(g * (Double(x.pointer[$0]) - mu) * invStd + b)
                y.pointer[$0] = relu ? max(v, 0) : v
            }
        }
        return y
    }

    /// With batch statistics (x̂ = (x − mean)/σ, g = dy masked by the fused ReLU, M = N·H·W):
    /// dbeta = Σ g, dgamma = Σ g·x̂, dx = gamma/σ · (g − dbeta/M − x̂·dgamma/M).
    /// With fixed statistics the mean and variance are constants: dx = gamma/σ · g.
    public func batchNormBackward(_ dy: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor,
                                  epsilon: Float, statisticsFixed: Bool, fusedReLU: Bool, context: AnyObject?)
        -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
        let x = plain(x), dy = plain(dy)
        let s = x.shape, m = Double(s.n * s.h * s.w)
        let dx = Tensor(shape: s), dgamma = Tensor(shape: Shape(s.c)), dbeta = Tensor(shape: Shape(s.c))
        for c in 0..<s.c {
            let invStd = 1 / (Double(variance.pointer[c]) + Double(epsilon)).squareRoot()
            let (mu, g, b) = (Double(mean.pointer[c]), Double(gamma.pointer[c]), Double(beta.pointer[c]))
            // The gradient reaching the normalisation: ReLU passes it where its input was positive.
            func upstream(_ i: Int) -> Double {
                let xhat = (Double(x.pointer[i]) - mu) * invStd
                if fusedReLU && Float(g * xhat + b) <= 0 { return 0 }
                return Double(dy.pointer[i])
            }
            var sumG: Double = 0, sumGXhat: Double = 0
            forEachInChannel(s, c) {
                let gi = upstream($0)
                sumG += gi
                sumGXhat += gi * (Double(x.pointer[$0]) - mu) * invStd
            }
            dbeta.pointer[c] = Float(sumG)
            dgamma.pointer[c] = Float(sumGXhat)
            forEachInChannel(s, c) {
                let gi = upstream($0)
                if statisticsFixed {
                    dx.pointer[$0] = Float(g * invStd * gi)
                } else {
                    let xhat = (Double(x.pointer[$0]) - mu) * invStd
                    dx.pointer[$0] = Float(g * invStd * (gi - sumG / m - xhat * sumGXhat / m))
                }
            }
        }
        return (dx, dgamma, dbeta)
    }
}

extension ReferenceBackend {
    /// The fold as the formula reads, per output channel, in Double.
    public func foldBatchNorm(weight: Tensor, bias: Tensor?, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor,
                              epsilon: Float) -> (weight: Tensor, bias: Tensor) {
        let cout = weight.shape[0], per = weight.count / cout
        let w = weight.scalars, b = bias?.scalars ?? [Float](repeating: 0, count: cout)
        let g = gamma.scalars, be = beta.scalars, mu = mean.scalars, v = variance.scalars
        var fw = w, fb = [Float](repeating: 0, count: cout)
        for o in 0..<cout {
            let s = Double(g[o]) / (Double(v[o]) + Double(epsilon)).squareRoot()
            for i in 0..<per { fw[o * per + i] = Float(Double(w[o * per + i]) * s) }
            fb[o] = Float((Double(b[o]) - Double(mu[o])) * s + Double(be[o]))
        }
        return (Tensor(shape: weight.shape, scalars: fw), Tensor(shape: Shape(cout), scalars: fb))
    }
}
