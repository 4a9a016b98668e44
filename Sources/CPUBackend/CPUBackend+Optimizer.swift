import Tensors

/// Optimizer updates and the reductions around them: element-wise loops over host memory, which
/// the compiler vectorises; they are a small share of a training step.
extension CPUBackend {
    public func adamUpdate(parameter: Tensor, gradient: Tensor, m: Tensor, v: Tensor, _ s: AdamStep) {
        let g = gradient.inLayout(.plain)
        let pp = parameter.pointer, gp = g.pointer, mp = m.pointer, vp = v.pointer
        for i in 0..<parameter.count {
            var d = gp[i]
            if s.decoupled { pp[i] -= s.learningRate * s.weightDecay * pp[i] } else { d += s.weightDecay * pp[i] }
            mp[i] = s.beta1 * mp[i] + s.oneMinusBeta1 * d
            vp[i] = s.beta2 * vp[i] + s.oneMinusBeta2 * d * d
            pp[i] -= s.stepSize * mp[i] / (vp[i].squareRoot() / s.c2Root + s.epsilon)
        }
    }

    public func sgdUpdate(parameter: Tensor, gradient: Tensor, buffer: Tensor, _ s: SGDStep) {
        let g = gradient.inLayout(.plain)
        let pp = parameter.pointer, gp = g.pointer, bp = buffer.pointer
        for i in 0..<parameter.count {
            let d = gp[i] + s.weightDecay * pp[i]
            if s.momentum != 0 {
                bp[i] = s.firstStep ? d : s.momentum * bp[i] + d
                pp[i] -= s.learningRate * (s.nesterov ? d + s.momentum * bp[i] : bp[i])
            } else {
                pp[i] -= s.learningRate * d
            }
        }
    }

    public func sumOfSquares(_ x: Tensor) -> Double {
        let p = x.pointer
        var total: Double = 0
        for i in 0..<x.count { total += Double(p[i]) * Double(p[i]) }
        return total
    }

    public func scale(_ x: Tensor, by factor: Float) {
        let p = x.pointer
        for i in 0..<x.count { p[i] *= factor }
        x.markModified()
    }

    public func countNonFinite(_ x: Tensor) -> Int {
        let p = x.pointer
        var bad = 0
        for i in 0..<x.count where !p[i].isFinite { bad += 1 }
        return bad
    }
}
