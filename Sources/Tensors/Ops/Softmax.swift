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

/// Checks that `targets` is an int32 [N,H,W] tensor matching logits [N,C,H,W] whose every value
/// is a class index of C classes, and returns how many pixels hold each class.
@discardableResult
func checkTargets(_ targets: Tensor, logits: Shape, op: String) -> [Int] {
    precondition(targets.dtype == .int32 && targets.layout == .plain, "[\(op)] targets must be plain int32, got \(targets)")
    precondition(targets.shape == Shape(logits.n, logits.h, logits.w), "[\(op)] targets \(targets.shape) for logits \(logits)")
    let counts = Backend.current.classCounts(targets, classes: logits.c)
    precondition(counts[logits.c] == 0, "[\(op)] \(counts[logits.c]) target(s) outside 0..<\(logits.c)")
    return Array(counts.prefix(logits.c))
}

/// Checks an optional float32 weight tensor's shape.
func checkWeights(_ weights: Tensor?, shape: Shape, op: String, what: String) {
    guard let weights else { return }
    precondition(weights.dtype == .float32 && weights.layout == .plain && weights.shape == shape,
                 "[\(op)] \(what) weights \(weights) for \(shape)")
}
