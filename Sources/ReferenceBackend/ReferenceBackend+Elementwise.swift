import Tensors

/// Products and spatial means on plain tensors; means summed in Double.
extension ReferenceBackend {
    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "[multiply] \(a.shape) vs \(b.shape)")
        let a = plain(a), b = plain(b)
        let y = Tensor(shape: a.shape)
        for i in 0..<a.count { y.pointer[i] = a.pointer[i] * b.pointer[i] }
        return y
    }

    public func scaled(_ x: Tensor, by factor: Float) -> Tensor {
        let x = plain(x)
        let y = Tensor(shape: x.shape)
        for i in 0..<x.count { y.pointer[i] = x.pointer[i] * factor }
        return y
    }

    public func globalAveragePool(_ x: Tensor) -> Tensor {
        let x = plain(x), s = x.shape
        let y = Tensor(shape: Shape(s.n, s.c, 1, 1))
        for n in 0..<s.n {
            for c in 0..<s.c {
                var sum: Double = 0
                for i in 0..<s.h {
                    for j in 0..<s.w { sum += Double(x.pointer[index(s, n, c, i, j)]) }
                }
                y.pointer[n * s.c + c] = Float(sum / Double(s.h * s.w))
            }
        }
        return y
    }

    public func globalAveragePoolBackward(_ dy: Tensor, inputShape s: Shape) -> Tensor {
        let dy = plain(dy)
        let dx = Tensor(shape: s)
        for n in 0..<s.n {
            for c in 0..<s.c {
                let g = dy.pointer[n * s.c + c] / Float(s.h * s.w)
                for i in 0..<s.h {
                    for j in 0..<s.w { dx.pointer[index(s, n, c, i, j)] = g }
                }
            }
        }
        return dx
    }
}
