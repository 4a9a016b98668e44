import Tensors

/// Where gradients are combined across workers before the optimizer step. Data-parallel
/// training (e.g. over MPI: an all-reduce averaging every gradient) plugs in here; a single
/// process uses `LocalGradients`, which leaves them as they are.
public protocol GradientReducer {
    /// Combines the gradients of `parameters` in place (same order on every worker).
    func combine(_ parameters: [(name: String, tensor: Tensor)])
    /// Combines a scalar (the loss, for logging).
    func combine(_ value: Float) -> Float
}

/// One process: nothing to combine.
public struct LocalGradients: GradientReducer {
    public init() {}
    public func combine(_ parameters: [(name: String, tensor: Tensor)]) {}
    public func combine(_ value: Float) -> Float { value }
}
