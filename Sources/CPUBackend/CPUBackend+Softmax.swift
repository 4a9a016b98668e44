#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Softmax over channels: host loops over plain NCHW memory, pixel by pixel (the channel count of
/// a segmentation head is small).
extension CPUBackend {
    public func softmax(_ x: Tensor) -> Tensor {
        let p = x.inLayout(.plain)
        let y = Tensor(shape: x.shape)
        softmaxChannels(p.pointer, into: y.pointer, shape: x.shape)
        return y
    }

    public func softmaxBackward(_ dy: Tensor, y: Tensor) -> Tensor {
        let s = y.shape
        let dy = dy.inLayout(.plain), y = y.inLayout(.plain)
        let dx = Tensor(shape: s)
        let plane = s.h * s.w
        // Pointers taken once: the getters check dtype and device (in release builds too).
        let yp = y.pointer, dyp = dy.pointer, dxp = dx.pointer
        for n in 0..<s.n {
            for i in 0..<plane {
                var dot: Float = 0
                for c in 0..<s.c { let k = (n * s.c + c) * plane + i; dot += yp[k] * dyp[k] }
                for c in 0..<s.c { let k = (n * s.c + c) * plane + i; dxp[k] = yp[k] * (dyp[k] - dot) }
            }
        }
        return dx
    }
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
