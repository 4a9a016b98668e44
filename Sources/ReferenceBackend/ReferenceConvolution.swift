import Tensors

/// Plain-loop convolution and transposed convolution over plain NCHW buffers, accumulating in
/// Double. Slow and obviously correct: the oracle the fast kernels are tested against, and the
/// reference backend's convolution.
///
/// The kernels work on raw pointers (debug builds check no bounds there, which keeps the oracle
/// usable on U-Net-sized inputs); the array functions below wrap them for tests.
public enum ReferenceConvolution {
    // MARK: Kernels

    /// y[n,o,i,j] = b[o] + Σ_{c,u,v} x[n,c,i·sh−ph+u, j·sw−pw+v] · w[o,c,u,v]; y has `yShape`.
    public static func forward(x: UnsafePointer<Float>, xShape: Shape, w: UnsafePointer<Float>, wShape: Shape,
                               b: UnsafePointer<Float>?, geometry g: ConvGeometry, y: UnsafeMutablePointer<Float>, yShape: Shape) {
        let (n, cin, h, wd) = (xShape.n, xShape.c, xShape.h, xShape.w)
        let (cout, kh, kw) = (wShape[0], wShape[2], wShape[3])
        let (oh, ow) = (yShape.h, yShape.w)
        precondition(wShape[1] == cin && yShape.c == cout, "[reference conv] input \(xShape), weight \(wShape), output \(yShape)")
        for b0 in 0..<n { for o in 0..<cout { for i in 0..<oh { for j in 0..<ow {
            var acc = Double(b?[o] ?? 0)
            for c in 0..<cin { for u in 0..<kh { for v in 0..<kw {
                let yy = i * g.strideH - g.padH + u, xx = j * g.strideW - g.padW + v
                if yy < 0 || yy >= h || xx < 0 || xx >= wd { continue }
                acc += Double(x[((b0 * cin + c) * h + yy) * wd + xx]) * Double(w[((o * cin + c) * kh + u) * kw + v])
            } } }
            y[((b0 * cout + o) * oh + i) * ow + j] = Float(acc)
        } } } }
    }

    /// dx of the convolution above: each output gradient scattered back through its window.
    public static func backwardData(dy: UnsafePointer<Float>, dyShape: Shape, w: UnsafePointer<Float>, wShape: Shape,
                                    geometry g: ConvGeometry, dx: UnsafeMutablePointer<Float>, xShape: Shape) {
        let (n, cin, h, wd) = (xShape.n, xShape.c, xShape.h, xShape.w)
        let (cout, kh, kw) = (wShape[0], wShape[2], wShape[3])
        let (oh, ow) = (dyShape.h, dyShape.w)
        precondition(wShape[1] == cin && dyShape.c == cout, "[reference conv] dx \(xShape), weight \(wShape), dy \(dyShape)")
        withDoubleAccumulator(xShape.count, into: dx) { acc in
            for b0 in 0..<n { for o in 0..<cout { for i in 0..<oh { for j in 0..<ow {
                let gy = Double(dy[((b0 * cout + o) * oh + i) * ow + j])
                for c in 0..<cin { for u in 0..<kh { for v in 0..<kw {
                    let yy = i * g.strideH - g.padH + u, xx = j * g.strideW - g.padW + v
                    if yy < 0 || yy >= h || xx < 0 || xx >= wd { continue }
                    acc[((b0 * cin + c) * h + yy) * wd + xx] += gy * Double(w[((o * cin + c) * kh + u) * kw + v])
                } } }
            } } } }
        }
    }

    /// dw (and db when asked for) of the convolution above.
    public static func backwardWeights(x: UnsafePointer<Float>, xShape: Shape, dy: UnsafePointer<Float>, dyShape: Shape,
                                       geometry g: ConvGeometry, dw: UnsafeMutablePointer<Float>, wShape: Shape,
                                       db: UnsafeMutablePointer<Float>?) {
        let (n, cin, h, wd) = (xShape.n, xShape.c, xShape.h, xShape.w)
        let (cout, kh, kw) = (wShape[0], wShape[2], wShape[3])
        let (oh, ow) = (dyShape.h, dyShape.w)
        precondition(wShape[1] == cin && dyShape.c == cout, "[reference conv] x \(xShape), dw \(wShape), dy \(dyShape)")
        withDoubleAccumulator(wShape.count, into: dw) { acc in
            for b0 in 0..<n { for o in 0..<cout { for i in 0..<oh { for j in 0..<ow {
                let gy = Double(dy[((b0 * cout + o) * oh + i) * ow + j])
                for c in 0..<cin { for u in 0..<kh { for v in 0..<kw {
                    let yy = i * g.strideH - g.padH + u, xx = j * g.strideW - g.padW + v
                    if yy < 0 || yy >= h || xx < 0 || xx >= wd { continue }
                    acc[((o * cin + c) * kh + u) * kw + v] += gy * Double(x[((b0 * cin + c) * h + yy) * wd + xx])
                } } }
            } } } }
        }
        if let db { channelSums(dy, dyShape, into: db) }
    }

    /// Transposed convolution, w: [Cin,Cout,kh,kw]: y[n,o,i·s−p+u, j·s−p+v] += x[n,c,i,j]·w[c,o,u,v].
    /// It is the backward-data of the convolution whose weight is w read as [O=Cin_t, I=Cout_t, ...].
    public static func transposedForward(x: UnsafePointer<Float>, xShape: Shape, w: UnsafePointer<Float>, wShape: Shape,
                                         b: UnsafePointer<Float>?, geometry g: ConvGeometry, y: UnsafeMutablePointer<Float>, yShape: Shape) {
        backwardData(dy: x, dyShape: xShape, w: w, wShape: wShape, geometry: g, dx: y, xShape: yShape)
        if let b {
            let plane = yShape.h * yShape.w
            for n in 0..<yShape.n { for o in 0..<yShape.c { for k in 0..<plane { y[(n * yShape.c + o) * plane + k] += b[o] } } }
        }
    }

    /// dx of the transposed convolution: the convolution forward of dy with the same weight.
    public static func transposedBackwardData(dy: UnsafePointer<Float>, dyShape: Shape, w: UnsafePointer<Float>, wShape: Shape,
                                              geometry g: ConvGeometry, dx: UnsafeMutablePointer<Float>, xShape: Shape) {
        forward(x: dy, xShape: dyShape, w: w, wShape: wShape, b: nil, geometry: g, y: dx, yShape: xShape)
    }

    /// dw (and db) of the transposed convolution: roles swap, the convolution maps dy (Cout_t
    /// channels) to x (Cin_t channels) with weight [Cin_t, Cout_t, ...]; db sums dy per channel.
    public static func transposedBackwardWeights(x: UnsafePointer<Float>, xShape: Shape, dy: UnsafePointer<Float>, dyShape: Shape,
                                                 geometry g: ConvGeometry, dw: UnsafeMutablePointer<Float>, wShape: Shape,
                                                 db: UnsafeMutablePointer<Float>?) {
        backwardWeights(x: dy, xShape: dyShape, dy: x, dyShape: xShape, geometry: g, dw: dw, wShape: wShape, db: nil)
        if let db { channelSums(dy, dyShape, into: db) }
    }

    /// Σ over n, h, w per channel, in Double.
    static func channelSums(_ t: UnsafePointer<Float>, _ shape: Shape, into out: UnsafeMutablePointer<Float>) {
        let plane = shape.h * shape.w
        for c in 0..<shape.c {
            var s: Double = 0
            for n in 0..<shape.n { for k in 0..<plane { s += Double(t[(n * shape.c + c) * plane + k]) } }
            out[c] = Float(s)
        }
    }

    /// Runs `body` on a zeroed Double buffer of `count`, then rounds it into `out`.
    static func withDoubleAccumulator(_ count: Int, into out: UnsafeMutablePointer<Float>, _ body: (UnsafeMutablePointer<Double>) -> Void) {
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
        defer { acc.deallocate() }
        acc.initialize(repeating: 0, count: count)
        body(acc)
        for k in 0..<count { out[k] = Float(acc[k]) }
    }

    // MARK: Array forms (tests), square stride and padding

    public static func forward(x: [Float], xShape: Shape, w: [Float], wShape: Shape, b: [Float]?, stride s: Int, padding p: Int) -> (y: [Float], shape: Shape) {
        let g = ConvGeometry(stride: s, padding: p)
        let yShape = Shape(xShape.n, wShape[0], g.convOutput(xShape.h, kernel: wShape[2], vertical: true),
                           g.convOutput(xShape.w, kernel: wShape[3], vertical: false))
        let y = filling(yShape.count) { y in
            withOptionalPointer(b) { bp in forward(x: x, xShape: xShape, w: w, wShape: wShape, b: bp, geometry: g, y: y, yShape: yShape) }
        }
        return (y, yShape)
    }

    public static func backwardData(dy: [Float], dyShape: Shape, w: [Float], wShape: Shape, xShape: Shape, stride s: Int, padding p: Int) -> [Float] {
        filling(xShape.count) { backwardData(dy: dy, dyShape: dyShape, w: w, wShape: wShape, geometry: ConvGeometry(stride: s, padding: p), dx: $0, xShape: xShape) }
    }

    public static func backwardWeights(x: [Float], xShape: Shape, dy: [Float], dyShape: Shape, wShape: Shape, stride s: Int, padding p: Int) -> (dw: [Float], db: [Float]) {
        var db = [Float](repeating: 0, count: wShape[0])
        let dw = filling(wShape.count) { dw in
            db.withUnsafeMutableBufferPointer { dbp in
                backwardWeights(x: x, xShape: xShape, dy: dy, dyShape: dyShape, geometry: ConvGeometry(stride: s, padding: p),
                                dw: dw, wShape: wShape, db: dbp.baseAddress!)
            }
        }
        return (dw, db)
    }

    public static func transposedForward(x: [Float], xShape: Shape, w: [Float], wShape: Shape, b: [Float]?, stride s: Int, padding p: Int) -> (y: [Float], shape: Shape) {
        let g = ConvGeometry(stride: s, padding: p)
        let yShape = Shape(xShape.n, wShape[1], g.deconvOutput(xShape.h, kernel: wShape[2], vertical: true),
                           g.deconvOutput(xShape.w, kernel: wShape[3], vertical: false))
        let y = filling(yShape.count) { y in
            withOptionalPointer(b) { bp in transposedForward(x: x, xShape: xShape, w: w, wShape: wShape, b: bp, geometry: g, y: y, yShape: yShape) }
        }
        return (y, yShape)
    }

    public static func transposedBackwardData(dy: [Float], dyShape: Shape, w: [Float], wShape: Shape, stride s: Int, padding p: Int) -> [Float] {
        let g = ConvGeometry(stride: s, padding: p)
        let xShape = Shape(dyShape.n, wShape[0], g.convOutput(dyShape.h, kernel: wShape[2], vertical: true),
                           g.convOutput(dyShape.w, kernel: wShape[3], vertical: false))
        return filling(xShape.count) { transposedBackwardData(dy: dy, dyShape: dyShape, w: w, wShape: wShape, geometry: g, dx: $0, xShape: xShape) }
    }

    public static func transposedBackwardWeights(x: [Float], xShape: Shape, dy: [Float], dyShape: Shape, wShape: Shape, stride s: Int, padding p: Int) -> (dw: [Float], db: [Float]) {
        var db = [Float](repeating: 0, count: wShape[1])
        let dw = filling(wShape.count) { dw in
            db.withUnsafeMutableBufferPointer { dbp in
                transposedBackwardWeights(x: x, xShape: xShape, dy: dy, dyShape: dyShape, geometry: ConvGeometry(stride: s, padding: p),
                                          dw: dw, wShape: wShape, db: dbp.baseAddress!)
            }
        }
        return (dw, db)
    }

    private static func filling(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.initialize(repeating: 0)
            body(buffer.baseAddress!)
            initialized = count
        }
    }

    private static func withOptionalPointer<R>(_ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let a else { return body(nil) }
        return a.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
