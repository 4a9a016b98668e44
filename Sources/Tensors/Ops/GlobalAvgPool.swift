/// Mean over height and width: [N,C,H,W] → [N,C,1,1], PyTorch `x.mean((2,3), keepdim=True)`.
public func globalAvgPool(_ x: Tensor) -> Tensor {
    let s = x.shape
    let p = x.inLayout(.plain)
    let plane = s.h * s.w
    let y = Tensor(shape: Shape(s.n, s.c, 1, 1))
    for i in 0..<(s.n * s.c) {
        var sum: Double = 0
        for j in 0..<plane { sum += Double(p.pointer[i * plane + j]) }
        y.pointer[i] = Float(sum / Double(plane))
    }
    Tape.record(y, inputs: [x]) { dy in
        let dx = Tensor(shape: s)
        for i in 0..<(s.n * s.c) {
            let g = dy.pointer[i] / Float(plane)
            (dx.pointer + i * plane).update(repeating: g, count: plane)
        }
        return [dx.inLayout(x.layout)]
    }
    return y
}
