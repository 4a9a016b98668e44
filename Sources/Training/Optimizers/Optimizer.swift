import Tensors

/// Updates parameters from their accumulated gradients. Optimizer state is keyed by parameter
/// name so that a checkpoint can store it and a resumed run continues exactly.
public protocol Optimizer: AnyObject {
    /// One update of every parameter that has a gradient, at learning rate `lr`.
    func step(_ parameters: [(name: String, tensor: Tensor)], learningRate lr: Float)
    /// The optimizer's state as named tensors (e.g. `encoder.0.conv1.weight.exp_avg`) and scalars.
    var state: [(name: String, tensor: Tensor)] { get }
    var stepCount: Int { get }
    /// Restores `state` as saved; throws when a needed entry is missing or has the wrong size.
    func restore(state: [String: Tensor], stepCount: Int) throws
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
    var total: Double = 0
    for (_, p) in parameters {
        guard let g = p.grad else { continue }
        for i in 0..<g.count { total += Double(g.pointer[i]) * Double(g.pointer[i]) }
    }
    let norm = Float(total.squareRoot())
    if norm > maxNorm && norm > 0 {
        let scale = maxNorm / norm
        for (_, p) in parameters {
            guard let g = p.grad else { continue }
            for i in 0..<g.count { g.pointer[i] *= scale }
        }
    }
    return norm
}

/// Sets every gradient to nil (the next backward pass starts from zero).
public func zeroGradients(_ parameters: [(name: String, tensor: Tensor)]) {
    for (_, p) in parameters { p.grad = nil }
}

/// Copies the saved tensor for `key` into `target`, checking its size.
func restoreBuffer(_ state: [String: Tensor], _ key: String, into target: Tensor) throws {
    guard let saved = state[key] else { throw OptimizerStateError(description: "optimizer state is missing '\(key)'") }
    guard saved.count == target.count else {
        throw OptimizerStateError(description: "optimizer state '\(key)' has \(saved.count) values, expected \(target.count)")
    }
    target.assign(saved.scalars)
}
