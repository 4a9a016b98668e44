/// Elementwise sum of two tensors of the same shape (the residual connection).
public func + (a: Tensor, b: Tensor) -> Tensor {
    let y = Backend.current.add(a, b)
    Tape.record(y, inputs: [a, b]) { dy in [dy, dy] }
    return y
}

/// x · s for a constant s (loss weighting).
public func * (x: Tensor, s: Float) -> Tensor {
    let backend = Backend.current
    let y = backend.scaled(x, by: s)
    Tape.record(y, inputs: [x]) { dy in [backend.scaled(dy, by: s)] }
    return y
}
