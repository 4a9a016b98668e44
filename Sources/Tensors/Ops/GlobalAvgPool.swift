/// Mean over height and width: [N,C,H,W] → [N,C,1,1], PyTorch `x.mean((2,3), keepdim=True)`.
public func globalAvgPool(_ x: Tensor) -> Tensor {
    precondition(x.shape.rank == 4, "[global_avg_pool] expects [N,C,H,W], got \(x.shape)")
    let backend = Backend.current
    let y = backend.globalAveragePool(x)
    let s = x.shape, layout = x.layout
    Tape.record(y, inputs: [x]) { dy in [backend.globalAveragePoolBackward(dy, inputShape: s).inLayout(layout)] }
    return y
}
