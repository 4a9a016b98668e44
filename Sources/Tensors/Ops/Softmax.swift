#if canImport(Glibc)
import Glibc
#endif

/// Softmax over channels: [N,C,H,W] → [N,C,H,W], PyTorch `F.softmax(x, dim=1)`.
public func softmax(_ x: Tensor) -> Tensor {
    let s = x.shape
    let p = x.inLayout(.plain)
    let y = Tensor(shape: s)
    softmaxChannels(p.pointer, into: y.pointer, shape: s)
    Tape.record(y, inputs: [x]) { dy in
        // dx_c = y_c (dy_c − Σ_k y_k dy_k)
        let dy = dy.inLayout(.plain)
        let dx = Tensor(shape: s)
        let plane = s.h * s.w
        for n in 0..<s.n {
            for i in 0..<plane {
                var dot: Float = 0
                for c in 0..<s.c { let k = (n * s.c + c) * plane + i; dot += y.pointer[k] * dy.pointer[k] }
                for c in 0..<s.c { let k = (n * s.c + c) * plane + i; dx.pointer[k] = y.pointer[k] * (dy.pointer[k] - dot) }
            }
        }
        return [dx.inLayout(x.layout)]
    }
    return y
}

/// Numerically stable channel softmax of plain NCHW memory.
func softmaxChannels(_ x: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>, shape s: Shape) {
    let plane = s.h * s.w
    for n in 0..<s.n {
        let base = n * s.c * plane
        for i in 0..<plane {
            var m = -Float.infinity
            for c in 0..<s.c { m = max(m, x[base + c * plane + i]) }
            var sum: Float = 0
            for c in 0..<s.c {
                let e = expf(x[base + c * plane + i] - m)
                y[base + c * plane + i] = e
                sum += e
            }
            let inv = 1 / sum
            for c in 0..<s.c { y[base + c * plane + i] *= inv }
        }
    }
}

/// The logits' gradient of a loss given through its gradient with respect to the softmax
/// probabilities `probs` (plain NCHW), pixel by pixel: dx_c = p_c·(dp_c − Σ_k p_k·dp_k).
/// `fill(j, t, &dp)` writes dp (one value per class) for pixel j (flat N·H·W index) of target t.
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
