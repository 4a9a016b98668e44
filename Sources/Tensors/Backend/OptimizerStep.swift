/// One Adam (or AdamW) update's constants, computed once per step for all parameters:
/// m ← β1·m + (1−β1)·d; v ← β2·v + (1−β2)·d²; p ← p − stepSize·m / (√v / c2Root + ε), where
/// d = g + wd·p for Adam (L2), and for AdamW p first shrinks by lr·wd·p and d = g. 1 − β is
/// given, computed in double precision from the optimizer's β: 1 − Float(0.999) is 1.3e-5 off
/// 0.001, which PyTorch (β a Python float) does not lose.
public struct AdamStep: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var oneMinusBeta1: Float
    public var oneMinusBeta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var decoupled: Bool
    /// lr / (1 − β1^t).
    public var stepSize: Float
    /// √(1 − β2^t).
    public var c2Root: Float

    public init(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, decoupled: Bool,
                stepSize: Float, c2Root: Float, oneMinusBeta1: Float? = nil, oneMinusBeta2: Float? = nil) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.oneMinusBeta1 = oneMinusBeta1 ?? 1 - beta1
        self.oneMinusBeta2 = oneMinusBeta2 ?? 1 - beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        self.stepSize = stepSize
        self.c2Root = c2Root
    }
}

/// One SGD update's constants: d = g + wd·p; buf ← first ? d : μ·buf + d;
/// p ← p − lr·(nesterov ? d + μ·buf : buf) (μ = 0: p ← p − lr·d), as `torch.optim.SGD`.
public struct SGDStep: Sendable {
    public var learningRate: Float
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float
    /// The buffer holds nothing yet (PyTorch starts it at the first gradient).
    public var firstStep: Bool

    public init(learningRate: Float, momentum: Float, nesterov: Bool, weightDecay: Float, firstStep: Bool) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.firstStep = firstStep
    }
}
