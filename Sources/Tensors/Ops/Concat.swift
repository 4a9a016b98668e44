/// Concatenation along channels: [N,C1,H,W] ++ [N,C2,H,W] → [N,C1+C2,H,W], PyTorch `torch.cat(dim=1)`.
public func concatChannels(_ xs: [Tensor]) -> Tensor {
    precondition(!xs.isEmpty, "[concat] no inputs")
    let first = xs[0].shape
    for x in xs {
        precondition(x.shape.rank == 4 && x.shape.n == first.n && x.shape.h == first.h && x.shape.w == first.w,
                     "[concat] \(x.shape) does not match \(first) outside the channel dimension")
    }
    let backend = Backend.current
    let y = backend.concatChannels(xs)
    let channels = xs.map { $0.shape.c }
    Tape.record(y, inputs: xs) { dy in backend.splitChannels(dy, channels: channels) }
    return y
}
