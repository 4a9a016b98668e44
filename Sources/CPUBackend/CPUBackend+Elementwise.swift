import Tensors

/// Products and means that oneDNN has no primitive worth calling for: host loops.
extension CPUBackend {
    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "[multiply] \(a.shape) vs \(b.shape)")
        let b = b.inLayout(a.layout)
        let y = Tensor(shape: a.shape, layout: a.layout)
        let ap = a.pointer, bp = b.pointer, yp = y.pointer
        for i in 0..<a.count { yp[i] = ap[i] * bp[i] }
        return y
    }

    public func scaled(_ x: Tensor, by factor: Float) -> Tensor {
        let p = x.inLayout(.plain)
        let y = Tensor(shape: x.shape)
        let pp = p.pointer, yp = y.pointer
        for i in 0..<x.count { yp[i] = pp[i] * factor }
        return y
    }

    public func globalAveragePool(_ x: Tensor) -> Tensor {
        let s = x.shape
        let p = x.inLayout(.plain)
        let plane = s.h * s.w
        let y = Tensor(shape: Shape(s.n, s.c, 1, 1))
        let pp = p.pointer, yp = y.pointer
        for i in 0..<(s.n * s.c) {
            var sum: Double = 0
            for j in 0..<plane { sum += Double(pp[i * plane + j]) }
            yp[i] = Float(sum / Double(plane))
        }
        return y
    }

    public func globalAveragePoolBackward(_ dy: Tensor, inputShape s: Shape) -> Tensor {
        let dy = dy.inLayout(.plain)
        let plane = s.h * s.w
        let dx = Tensor(shape: s)
        for i in 0..<(s.n * s.c) {
            let g = dy.pointer[i] / Float(plane)
            (dx.pointer + i * plane).update(repeating: g, count: plane)
        }
        return dx
    }
}
