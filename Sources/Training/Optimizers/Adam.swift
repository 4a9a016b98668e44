#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Adam (Kingma & Ba) as PyTorch's `torch.optim.Adam`, or AdamW with `decoupled` weight decay:
/// m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·m̂/(√v̂ + ε), m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
/// Adam adds wd·p to g (L2); AdamW instead shrinks p by lr·wd·p before the update.
public final class Adam: Optimizer {
    /// In double precision, as PyTorch keeps them: 1 − β and the bias corrections are computed
    /// from these, not from their float32 roundings.
    public let beta1, beta2: Double
    public let epsilon, weightDecay: Float
    public let decoupled: Bool
    private var moments: [String: (m: Tensor, v: Tensor)] = [:]
    public private(set) var stepCount = 0

    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
    }

    public func step(_ parameters: [(name: String, tensor: Tensor)], learningRate lr: Float) {
        stepCount += 1
        let t = Double(stepCount)
        let c1 = 1 - pow(beta1, t), c2 = 1 - pow(beta2, t)
        let constants = AdamStep(learningRate: lr, beta1: Float(beta1), beta2: Float(beta2), epsilon: epsilon, weightDecay: weightDecay,
                                 decoupled: decoupled, stepSize: Float(Double(lr) / c1), c2Root: Float(c2.squareRoot()),
                                 oneMinusBeta1: Float(1 - beta1), oneMinusBeta2: Float(1 - beta2))
        for (name, p) in parameters {
            guard let grad = p.grad else { continue }
            let state = moments[name] ?? (Tensor.zeros(p.shape), Tensor.zeros(p.shape))
            moments[name] = state
            Backend.current.adamUpdate(parameter: p, gradient: grad, m: state.m, v: state.v, constants)
            p.markModified()
        }
    }

    public var state: [(name: String, tensor: Tensor)] {
        moments.keys.sorted().flatMap { [($0 + ".exp_avg", moments[$0]!.m), ($0 + ".exp_avg_sq", moments[$0]!.v)] }
    }

    public func restore(state: [String: Tensor], stepCount: Int, parameters: [(name: String, tensor: Tensor)]) throws {
        let m = try restoreBuffers(state, suffix: ".exp_avg", parameters: parameters)
        let v = try restoreBuffers(state, suffix: ".exp_avg_sq", parameters: parameters)
        if m.isEmpty != v.isEmpty {
            throw OptimizerStateError(description: "tensors 'optimizer.*\(m.isEmpty ? ".exp_avg" : ".exp_avg_sq")' are missing")
        }
        var restored: [String: (m: Tensor, v: Tensor)] = [:]
        for (name, first) in m {
            guard let second = v[name] else { throw OptimizerStateError(description: "tensor 'optimizer.\(name).exp_avg_sq' is missing") }
            restored[name] = (first, second)
        }
        moments = restored
        self.stepCount = stepCount
    }
}
