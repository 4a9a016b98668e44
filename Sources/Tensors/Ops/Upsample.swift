/// Nearest-neighbour upsampling by 2: [N,C,H,W] → [N,C,2H,2W], PyTorch
/// `F.interpolate(x, scale_factor=2, mode="nearest")`. Gradient: sum over each 2×2 block.
public func upsampleNearest2x(_ x: Tensor) -> Tensor {
    precondition(x.shape.rank == 4, "[upsample] expects [N,C,H,W], got \(x.shape)")
    let backend = Backend.current
    let y = backend.upsampleNearest2x(x)
    let layout = x.layout
    Tape.record(y, inputs: [x]) { dy in [backend.upsampleNearest2xBackward(dy).inLayout(layout)] }
    return y
}
