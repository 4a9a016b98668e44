/// max(x, 0), elementwise; PyTorch `F.relu`. The gradient at exactly 0 is taken as 0.
public func relu(_ x: Tensor) -> Tensor { activate(x, .relu) }

/// x if x > 0 else slope·x; PyTorch `F.leaky_relu`.
public func leakyRelu(_ x: Tensor, slope: Float = 0.01) -> Tensor { activate(x, .leakyRelu(slope: slope)) }

private func activate(_ x: Tensor, _ kind: Activation) -> Tensor {
    let backend = Backend.current
    let y = backend.activation(x, kind)
    Tape.record(y, inputs: [x]) { dy in [backend.activationBackward(dy, x: x, kind)] }
    return y
}
