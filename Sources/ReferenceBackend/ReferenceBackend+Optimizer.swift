import Tensors

/// Optimizer updates written as the formulas read (see `AdamStep`, `SGDStep`), and reductions
/// summed in double precision.
extension ReferenceBackend {
    public func adamUpdate(parameter p: Tensor, gradient: Tensor, m: Tensor, v: Tensor, _ s: AdamStep) {
        let g = plain(gradient)
        for i in 0..<p.count {
            var d = g.pointer[i]
            if s.decoupled {
                p.pointer[i] -= s.learningRate * s.weightDecay * p.pointer[i]
            } else {
                d += s.weightDecay * p.pointer[i]
            }
            m.pointer[i] = s.beta1 * m.pointer[i] + s.oneMinusBeta1 * d
            v.pointer[i] = s.beta2 * v.pointer[i] + s.oneMinusBeta2 * d * d
            p.pointer[i] -= s.stepSize * m.pointer[i] / (v.pointer[i].squareRoot() / s.c2Root + s.epsilon)
        }
    }

    public func sgdUpdate(parameter p: Tensor, gradient: Tensor, buffer: Tensor, _ s: SGDStep) {
        let g = plain(gradient)
        for i in 0..<p.count {
            let d = g.pointer[i] + s.weightDecay * p.pointer[i]
            guard s.momentum != 0 else {
                p.pointer[i] -= s.learningRate * d
                continue
            }
            buffer.pointer[i] = s.firstStep ? d : s.momentum * buffer.pointer[i] + d
            let direction = s.nesterov ? d + s.momentum * buffer.pointer[i] : buffer.pointer[i]
            p.pointer[i] -= s.learningRate * direction
        }
    }

    public func sumOfSquares(_ x: Tensor) -> Double {
        var total: Double = 0
        for i in 0..<x.count { total += Double(x.pointer[i]) * Double(x.pointer[i]) }
        return total
    }

    public func scale(_ x: Tensor, by factor: Float) {
        for i in 0..<x.count { x.pointer[i] *= factor }
        x.markModified()
    }

    public func countNonFinite(_ x: Tensor) -> Int {
        (0..<x.count).filter { !x.pointer[$0].isFinite }.count
    }
}
