import Tensors

/// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD` (no dampening):
/// g ← grad + wd·p; buf ← μ·buf + g; p ← p − lr·(nesterov ? g + μ·buf : buf).
/// The U-Net paper used μ = 0.99.
public final class SGD: Optimizer {
    public let momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float
    private var buffers: [String: Tensor] = [:]
    public private(set) var stepCount = 0

    public init(momentum: Float = 0.9, nesterov: Bool = false, weightDecay: Float = 0) {
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [(name: String, tensor: Tensor)], learningRate lr: Float) {
        stepCount += 1
        for (name, p) in parameters {
            guard let grad = p.grad else { continue }
            let buf = buffers[name] ?? Tensor.zeros(p.shape)
            let first = buffers[name] == nil
            buffers[name] = buf
            Backend.current.sgdUpdate(parameter: p, gradient: grad, buffer: buf,
                                      SGDStep(learningRate: lr, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay, firstStep: first))
            p.markModified()
        }
    }

    public var state: [(name: String, tensor: Tensor)] {
        buffers.keys.sorted().map { ($0 + ".momentum_buffer", buffers[$0]!) }
    }

    public func restore(state: [String: Tensor], stepCount: Int, parameters: [(name: String, tensor: Tensor)]) throws {
        buffers = try restoreBuffers(state, suffix: ".momentum_buffer", parameters: parameters)
        self.stepCount = stepCount
    }
}
