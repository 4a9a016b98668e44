import Tensors

/// Batch normalisation over channels: weight (γ) starts at 1, bias (β) at 0, running mean at 0
/// and running variance at 1 (PyTorch's `BatchNorm2d` defaults, momentum 0.1, ε 1e-5).
public final class BatchNorm2D: Layer {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public let momentum: Float
    public let epsilon: Float
    public let mode: RunMode

    public init(_ channels: Int, mode: RunMode, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        weight = Tensor.filled(1, shape: Shape(channels))
        bias = Tensor.zeros(Shape(channels))
        weight.requiresGrad = true
        bias.requiresGrad = true
        runningMean = Tensor.zeros(Shape(channels))
        runningVariance = Tensor.filled(1, shape: Shape(channels))
        self.momentum = momentum
        self.epsilon = epsilon
        self.mode = mode
    }

    public var parameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
    public var buffers: [(name: String, tensor: Tensor)] { [("running_mean", runningMean), ("running_var", runningVariance)] }

    /// Normalises x, then applies ReLU when `relu` (fused into one pass in training mode).
    public func callAsFunction(_ x: Tensor, relu: Bool = false) -> Tensor {
        batchNorm(x, gamma: weight, beta: bias, runningMean: runningMean, runningVariance: runningVariance,
                  training: mode.training, momentum: mode.statisticsMomentum ?? momentum, epsilon: epsilon, fusedReLU: relu)
    }
}
