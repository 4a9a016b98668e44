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

/// The logits' gradient of a loss given through its gradient with respect to the softmax
/// probabilities `probs` (plain NCHW), pixel by pixel: dx_c = p_c·(dp_c − Σ_k p_k·dp_k).
/// `fill(j, t, &dp)` writes dp (one value per class) for pixel j (flat N·H·W index) of target t.
/// (Dice and Lovász still compute their pullbacks on the host.)
func softmaxPullback(_ probs: Tensor, targets: [Int32], fill: (_ pixel: Int, _ target: Int, _ dp: inout [Float]) -> Void) -> Tensor {
    let s = probs.shape
    let plane = s.h * s.w
    let dx = Tensor(shape: s)
    var dp = [Float](repeating: 0, count: s.c)
    for n in 0..<s.n {
        for i in 0..<plane {
            let j = n * plane + i
            fill(j, Int(targets[j]), &dp)
            var dot: Float = 0
            for c in 0..<s.c { dot += dp[c] * probs.pointer[(n * s.c + c) * plane + i] }
            for c in 0..<s.c {
                let k = (n * s.c + c) * plane + i
                dx.pointer[k] = probs.pointer[k] * (dp[c] - dot)
            }
        }
    }
    return dx
}

/// Checks that every target is a class index of `classes` classes.
func checkTargets(_ targets: [Int32], classes: Int, op: String) {
    if let bad = targets.first(where: { $0 < 0 || Int($0) >= classes }) {
        preconditionFailure("[\(op)] target \(bad) outside 0..<\(classes)")
    }
}
