/// Elementwise sum of two tensors of the same shape (the residual connection).
public func + (a: Tensor, b: Tensor) -> Tensor {
    let y = Backend.current.add(a, b)
    Tape.record(y, inputs: [a, b]) { dy in [dy, dy] }
    return y
}

/// x · s for a constant s (loss weighting).
public func * (x: Tensor, s: Float) -> Tensor {
    let p = x.inLayout(.plain)
    let y = Tensor(shape: x.shape)
    for i in 0..<x.count { y.pointer[i] = p.pointer[i] * s }
    Tape.record(y, inputs: [x]) { dy in
        let d = dy.inLayout(.plain)
        let dx = Tensor(shape: x.shape)
        for i in 0..<x.count { dx.pointer[i] = d.pointer[i] * s }
        return [dx]
    }
    return y
}
