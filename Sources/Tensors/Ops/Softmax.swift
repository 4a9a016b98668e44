/// Softmax over channels: [N,C,H,W] → [N,C,H,W], PyTorch `F.softmax(x, dim=1)`.
public func softmax(_ x: Tensor) -> Tensor {
    precondition(x.shape.rank == 4, "[softmax] expects [N,C,H,W], got \(x.shape)")
    let backend = Backend.current
    let y = backend.softmax(x)
    let layout = x.layout
    Tape.record(y, inputs: [x]) { dy in
        [backend.softmaxBackward(dy, y: y).inLayout(layout)]
    }
    return y
}

/// Checks that every target is a class index of `classes` classes.
func checkTargets(_ targets: [Int32], classes: Int, op: String) {
    if let bad = targets.first(where: { $0 < 0 || Int($0) >= classes }) {
        preconditionFailure("[\(op)] target \(bad) outside 0..<\(classes)")
    }
}
