/// Concatenation along channels: [N,C1,H,W] ++ [N,C2,H,W] → [N,C1+C2,H,W], PyTorch `torch.cat(dim=1)`.
/// In both layouts each sample's channels are one contiguous chunk, so this is chunk copies
/// (blocked inputs stay blocked: every blocked tensor has a multiple of 16 channels).
public func concatChannels(_ xs: [Tensor]) -> Tensor {
    precondition(!xs.isEmpty, "[concat] no inputs")
    let first = xs[0].shape
    for x in xs {
        precondition(x.shape.rank == 4 && x.shape.n == first.n && x.shape.h == first.h && x.shape.w == first.w,
                     "[concat] \(x.shape) does not match \(first) outside the channel dimension")
    }
    let layout: Layout = xs.allSatisfy { $0.layout == .blocked16 } ? .blocked16 : .plain
    let parts = xs.map { $0.inLayout(layout) }
    let channels = xs.reduce(0) { $0 + $1.shape.c }
    let y = Tensor(shape: Shape(first.n, channels, first.h, first.w), layout: layout)
    let plane = first.h * first.w
    var offset = 0
    for part in parts {
        let chunk = part.shape.c * plane
        for n in 0..<first.n {
            (y.pointer + n * channels * plane + offset).update(from: part.pointer + n * chunk, count: chunk)
        }
        offset += chunk
    }
    Tape.record(y, inputs: xs) { dy in
        let dy = dy.inLayout(layout)
        var grads: [Tensor?] = []
        var offset = 0
        for x in xs {
            let chunk = x.shape.c * plane
            let dx = Tensor(shape: x.shape, layout: layout)
            for n in 0..<first.n {
                (dx.pointer + n * chunk).update(from: dy.pointer + n * channels * plane + offset, count: chunk)
            }
            grads.append(dx)
            offset += chunk
        }
        return grads
    }
    return y
}
