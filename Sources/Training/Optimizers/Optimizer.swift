import Tensors

/// Updates parameters from their accumulated gradients. Optimizer state is keyed by parameter
/// name so that a checkpoint can store it and a resumed run continues exactly.
public protocol Optimizer: AnyObject {
    /// One update of every parameter that has a gradient, at learning rate `lr`.
    func step(_ parameters: [(name: String, tensor: Tensor)], learningRate lr: Float)
    /// The optimizer's state as named tensors (e.g. `encoder.0.conv1.weight.exp_avg`) and scalars.
    var state: [(name: String, tensor: Tensor)] { get }
    var stepCount: Int { get }
    /// Restores `state` as saved for `parameters`; throws when an entry is missing, belongs to no
    /// parameter or has another shape than its parameter (`step` indexes buffers by the
    /// parameter's size, so a short buffer would be written past its end).
    func restore(state: [String: Tensor], stepCount: Int, parameters: [(name: String, tensor: Tensor)]) throws
}

/// What a resumed optimizer found wrong with saved state.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let description: String
}

/// Which optimizer, with its hyper-parameters.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    case sgd, adam, adamw
}

/// Rescales all gradients so their global L2 norm is at most `maxNorm`; returns the norm before.
@discardableResult
public func clipGradientNorm(_ parameters: [(name: String, tensor: Tensor)], maxNorm: Float) -> Float {
    let total = parameters.compactMap(\.tensor.grad).reduce(0.0) { $0 + Backend.current.sumOfSquares($1) }
    let norm = Float(total.squareRoot())
    if norm > maxNorm && norm > 0 {
        for g in parameters.compactMap(\.tensor.grad) { Backend.current.scale(g, by: maxNorm / norm) }
    }
    return norm
}

/// Sets every gradient to nil (the next backward pass starts from zero).
public func zeroGradients(_ parameters: [(name: String, tensor: Tensor)]) {
    for (_, p) in parameters { p.grad = nil }
}

/// The saved buffers of one kind (keys `PARAMETER + suffix`), each checked against its parameter's
/// shape and copied; every parameter must have one when any does (a run that stopped after its
/// first step saved them all). Throws naming the key.
func restoreBuffers(_ state: [String: Tensor], suffix: String, parameters: [(name: String, tensor: Tensor)]) throws -> [String: Tensor] {
    let byName = Dictionary(parameters.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    var restored: [String: Tensor] = [:]
    for key in state.keys.sorted() where key.hasSuffix(suffix) {
        let name = String(key.dropLast(suffix.count))
        guard let parameter = byName[name] else {
            throw OptimizerStateError(description: "tensor 'optimizer.\(key)' belongs to no parameter of the model")
        }
        let saved = state[key]!
        guard saved.shape == parameter.shape else {
            throw OptimizerStateError(description: "tensor 'optimizer.\(key)' has shape \(saved.shape.dims) (\(saved.count) values); "
                                      + "its parameter '\(name)' has shape \(parameter.shape.dims) (\(parameter.count) values)")
        }
        restored[name] = saved.copy()
    }
    if !restored.isEmpty, let missing = parameters.first(where: { restored[$0.name] == nil }) {
        throw OptimizerStateError(description: "tensor 'optimizer.\(missing.name)\(suffix)' is missing")
    }
    return restored
}
