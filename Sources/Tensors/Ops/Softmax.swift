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
