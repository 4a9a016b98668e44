#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Softmax over channels as the formula reads, per pixel, with sums in Double.
extension ReferenceBackend {
    /// The flat index of (n, c, pixel i) in plain NCHW memory.
    func index(_ s: Shape, _ n: Int, _ c: Int, _ i: Int) -> Int { (n * s.c + c) * s.h * s.w + i }

    /// exp(x_c − max) / Σ_k exp(x_k − max) for the pixel (n, i), in Double.
    func softmaxOfPixel(_ x: Tensor, _ n: Int, _ i: Int) -> [Double] {
        let s = x.shape
        let logits = (0..<s.c).map { Double(x.pointer[index(s, n, $0, i)]) }
        let m = logits.max() ?? 0
        let e = logits.map { exp($0 - m) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }

    public func softmax(_ x: Tensor) -> Tensor {
        let x = plain(x), s = x.shape
        let y = Tensor(shape: s)
        for n in 0..<s.n {
            for i in 0..<(s.h * s.w) {
                for (c, p) in softmaxOfPixel(x, n, i).enumerated() { y.pointer[index(s, n, c, i)] = Float(p) }
            }
        }
        return y
    }

    public func softmaxBackward(_ dy: Tensor, y: Tensor) -> Tensor {
        let dy = plain(dy), y = plain(y), s = y.shape
        let dx = Tensor(shape: s)
        for n in 0..<s.n {
            for i in 0..<(s.h * s.w) {
                var dot: Double = 0
                for c in 0..<s.c { dot += Double(y.pointer[index(s, n, c, i)]) * Double(dy.pointer[index(s, n, c, i)]) }
                for c in 0..<s.c {
                    let k = index(s, n, c, i)
                    dx.pointer[k] = Float(Double(y.pointer[k]) * (Double(dy.pointer[k]) - dot))
                }
            }
        }
        return dx
    }
}
