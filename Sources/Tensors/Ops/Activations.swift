/// max(x, 0), elementwise; PyTorch `F.relu`. The gradient at exactly 0 is taken as 0.
public func relu(_ x: Tensor) -> Tensor { activate(x, .relu) }

/// x if x > 0 else slope·x; PyTorch `F.leaky_relu`.
public func leakyRelu(_ x: Tensor, slope: Float = 0.01) -> Tensor { activate(x, .leakyRelu(slope: slope)) }

private func activate(_ x: Tensor, _ kind: Activation) -> Tensor {
    let backend = Backend.current
    let y = backend.activation(x, kind)
    Tape.record(y, inputs: [x]) { dy in [backend.activationBackward(dy, y: y, kind)] }
    return y
}

/// relu(a + b) in one pass: the post-activation residual connection. Only the output is kept
/// for the backward pass, which hands the same gradient to both inputs.
public func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor {
    let backend = Backend.current
    let y = backend.addReLU(a, b)
    Tape.record(y, inputs: [a, b]) { dy in
        let dx = backend.activationBackward(dy, y: y, .relu)
        return [dx, dx]
    }
    return y
}
