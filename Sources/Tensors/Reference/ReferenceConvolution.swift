/// Plain-loop convolution and transposed convolution over plain NCHW arrays, accumulating in
/// Double. Slow and obviously correct: the oracle the oneDNN kernels are tested against, and a
/// fallback for shapes a fast path might not support.
public enum ReferenceConvolution {
    /// y[n,o,i,j] = b[o] + Σ_{c,u,v} x[n,c,i·s−p+u, j·s−p+v] · w[o,c,u,v]
    public static func forward(x: [Float], xShape: Shape, w: [Float], wShape: Shape, b: [Float]?, stride s: Int, padding p: Int) -> (y: [Float], shape: Shape) {
        let (n, cin, h, wd) = (xShape.n, xShape.c, xShape.h, xShape.w)
        let (cout, kh, kw) = (wShape[0], wShape[2], wShape[3])
        let oh = (h + 2 * p - kh) / s + 1, ow = (wd + 2 * p - kw) / s + 1
        var y = [Float](repeating: 0, count: n * cout * oh * ow)
        for b0 in 0..<n { for o in 0..<cout { for i in 0..<oh { for j in 0..<ow {
            var acc = Double(b?[o] ?? 0)
            for c in 0..<cin { for u in 0..<kh { for v in 0..<kw {
                let yy = i * s - p + u, xx = j * s - p + v
                if yy < 0 || yy >= h || xx < 0 || xx >= wd { continue }
                acc += Double(x[((b0 * cin + c) * h + yy) * wd + xx]) * Double(w[((o * cin + c) * kh + u) * kw + v])
            } } }
            y[((b0 * cout + o) * oh + i) * ow + j] = Float(acc)
        } } } }
        return (y, Shape(n, cout, oh, ow))
    }

    /// dx of the convolution above: each output gradient scattered back through the window.
    public static func backwardData(dy: [Float], dyShape: Shape, w: [Float], wShape: Shape, xShape: Shape, stride s: Int, padding p: Int) -> [Float] {
        let (n, cin, h, wd) = (xShape.n, xShape.c, xShape.h, xShape.w)
        let (cout, kh, kw) = (wShape[0], wShape[2], wShape[3])
        let (oh, ow) = (dyShape.h, dyShape.w)
        var dx = [Double](repeating: 0, count: xShape.count)
        for b0 in 0..<n { for o in 0..<cout { for i in 0..<oh { for j in 0..<ow {
            let g = Double(dy[((b0 * cout + o) * oh + i) * ow + j])
            for c in 0..<cin { for u in 0..<kh { for v in 0..<kw {
                let yy = i * s - p + u, xx = j * s - p + v
                if yy < 0 || yy >= h || xx < 0 || xx >= wd { continue }
                dx[((b0 * cin + c) * h + yy) * wd + xx] += g * Double(w[((o * cin + c) * kh + u) * kw + v])
            } } }
        } } } }
        return dx.map(Float.init)
    }

    /// dw and db of the convolution above.
    public static func backwardWeights(x: [Float], xShape: Shape, dy: [Float], dyShape: Shape, wShape: Shape, stride s: Int, padding p: Int) -> (dw: [Float], db: [Float]) {
        let (n, cin, h, wd) = (xShape.n, xShape.c, xShape.h, xShape.w)
        let (cout, kh, kw) = (wShape[0], wShape[2], wShape[3])
        let (oh, ow) = (dyShape.h, dyShape.w)
        var dw = [Double](repeating: 0, count: wShape.count), db = [Double](repeating: 0, count: cout)
        for b0 in 0..<n { for o in 0..<cout { for i in 0..<oh { for j in 0..<ow {
            let g = Double(dy[((b0 * cout + o) * oh + i) * ow + j])
            db[o] += g
            for c in 0..<cin { for u in 0..<kh { for v in 0..<kw {
                let yy = i * s - p + u, xx = j * s - p + v
                if yy < 0 || yy >= h || xx < 0 || xx >= wd { continue }
                dw[((o * cin + c) * kh + u) * kw + v] += g * Double(x[((b0 * cin + c) * h + yy) * wd + xx])
            } } }
        } } } }
        return (dw.map(Float.init), db.map(Float.init))
    }

    /// Transposed convolution, w: [Cin,Cout,kh,kw]: y[n,o,i·s−p+u, j·s−p+v] += x[n,c,i,j]·w[c,o,u,v].
    /// It is the convolution backward-data with the same weight read as [Cout=Cin_t, ...].
    public static func transposedForward(x: [Float], xShape: Shape, w: [Float], wShape: Shape, b: [Float]?, stride s: Int, padding p: Int) -> (y: [Float], shape: Shape) {
        let (kh, kw) = (wShape[2], wShape[3])
        let yShape = Shape(xShape.n, wShape[1], (xShape.h - 1) * s - 2 * p + kh, (xShape.w - 1) * s - 2 * p + kw)
        // Read w as the weight of the convolution whose backward-data this is: [Cin_t, Cout_t, ...] = [O, I, ...].
        var y = backwardData(dy: x, dyShape: xShape, w: w, wShape: Shape(wShape[0], wShape[1], kh, kw), xShape: yShape, stride: s, padding: p)
        if let b {
            let plane = yShape.h * yShape.w
            for n in 0..<yShape.n { for o in 0..<yShape.c { for k in 0..<plane { y[(n * yShape.c + o) * plane + k] += b[o] } } }
        }
        return (y, yShape)
    }

    /// dx of the transposed convolution: the convolution forward of dy with the same weight.
    public static func transposedBackwardData(dy: [Float], dyShape: Shape, w: [Float], wShape: Shape, stride s: Int, padding p: Int) -> [Float] {
        forward(x: dy, xShape: dyShape, w: w, wShape: Shape(wShape[0], wShape[1], wShape[2], wShape[3]), b: nil, stride: s, padding: p).y
    }

    /// dw and db of the transposed convolution.
    public static func transposedBackwardWeights(x: [Float], xShape: Shape, dy: [Float], dyShape: Shape, wShape: Shape, stride s: Int, padding p: Int) -> (dw: [Float], db: [Float]) {
        // Roles swap: the convolution maps dy (Cout_t channels) to x (Cin_t channels) with weight [Cin_t, Cout_t, ...].
        let (dw, _) = backwardWeights(x: dy, xShape: dyShape, dy: x, dyShape: xShape, wShape: wShape, stride: s, padding: p)
        var db = [Float](repeating: 0, count: wShape[1])
        let plane = dyShape.h * dyShape.w
        for n in 0..<dyShape.n { for o in 0..<dyShape.c { for k in 0..<plane { db[o] += dy[(n * dyShape.c + o) * plane + k] } } }
        return (dw, db)
    }
}
