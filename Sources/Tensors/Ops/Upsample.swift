/// Nearest-neighbour upsampling by 2: [N,C,H,W] → [N,C,2H,2W], PyTorch
/// `F.interpolate(x, scale_factor=2, mode="nearest")`. Gradient: sum over each 2×2 block.
public func upsampleNearest2x(_ x: Tensor) -> Tensor {
    let s = x.shape
    let y = Tensor(shape: Shape(s.n, s.c, 2 * s.h, 2 * s.w), layout: x.layout)
    let g = PlaneGeometry(x), v = g.vector
    for plane in 0..<g.planes {
        for i in 0..<(2 * s.h) {
            for j in 0..<(2 * s.w) {
                let src = x.pointer + ((plane * s.h + i / 2) * s.w + j / 2) * v
                (y.pointer + ((plane * 2 * s.h + i) * 2 * s.w + j) * v).update(from: src, count: v)
            }
        }
    }
    Tape.record(y, inputs: [x]) { dy in
        let dy = dy.inLayout(x.layout)
        let dx = Tensor.zeros(s, layout: x.layout)
        for plane in 0..<g.planes {
            for i in 0..<(2 * s.h) {
                for j in 0..<(2 * s.w) {
                    let d = dx.pointer + ((plane * s.h + i / 2) * s.w + j / 2) * v
                    let src = dy.pointer + ((plane * 2 * s.h + i) * 2 * s.w + j) * v
                    for k in 0..<v { d[k] += src[k] }
                }
            }
        }
        return [dx]
    }
    return y
}
