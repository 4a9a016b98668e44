import Tensors

/// Convolutions through `ReferenceConvolution`'s loops; results are plain. Under bf16 precision
/// (tf32) each pass reads its inputs rounded to bfloat16 (TF32) (`convolutionInput`).
extension ReferenceBackend {
    /// `x` plain, and rounded to bfloat16 (TF32) values under bf16 (tf32) precision (a
    /// convolution pass's input: the forward's input and weight, backward-data's output gradient
    /// and weight, backward-weights' input and output gradient).
    func convolutionInput(_ x: Tensor) -> Tensor {
        let x = plain(x)
        let round: (Float) -> Float
        switch convolutionPrecision {
        case .fp32: return x
        case .tf32: round = TensorFloat32.rounded
        case .bf16: round = BFloat16.rounded
        }
        let y = Tensor(shape: x.shape)
        for i in 0..<x.count { y.pointer[i] = round(x.pointer[i]) }
        return y
    }

    static func outputShape(_ x: Shape, _ w: Shape, _ g: ConvGeometry, transposed: Bool) -> Shape {
        let (kh, kw) = (w[2], w[3])
        if transposed {
            return Shape(x.n, w[1], g.deconvOutput(x.h, kernel: kh, vertical: true), g.deconvOutput(x.w, kernel: kw, vertical: false))
        }
        return Shape(x.n, w[0], g.convOutput(x.h, kernel: kh, vertical: true), g.convOutput(x.w, kernel: kw, vertical: false))
    }

    public func convolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry g: ConvGeometry, transposed t: Bool) -> Tensor {
        precondition(x.shape.rank == 4 && w.shape.rank == 4, "[conv] input \(x.shape), weight \(w.shape) must be 4-D")
        precondition(x.shape.c == (t ? w.shape[0] : w.shape[1]),
                     "[\(t ? "conv_transpose2d" : "conv2d")] input \(x.shape) vs weight \(w.shape): channel mismatch")
        let yShape = Self.outputShape(x.shape, w.shape, g, transposed: t)
        precondition(yShape.h > 0 && yShape.w > 0, "[conv] input \(x.shape) too small for kernel \(w.shape)")
        let x = convolutionInput(x), w = convolutionInput(w)
        let y = Tensor(shape: yShape)
        if t {
            ReferenceConvolution.transposedForward(x: x.pointer, xShape: x.shape, w: w.pointer, wShape: w.shape, b: b?.pointer,
                                                   geometry: g, y: y.pointer, yShape: yShape)
        } else {
            ReferenceConvolution.forward(x: x.pointer, xShape: x.shape, w: w.pointer, wShape: w.shape, b: b?.pointer,
                                         geometry: g, y: y.pointer, yShape: yShape)
        }
        return y
    }

    /// dx, plain whatever `inputLayout` says (callers bring gradients to the layout they need).
    public func convolutionBackwardData(_ dy: Tensor, weight w: Tensor, inputShape: Shape, inputLayout: Layout,
                                        geometry g: ConvGeometry, transposed t: Bool) -> Tensor {
        let dy = convolutionInput(dy), w = convolutionInput(w)
        let dx = Tensor(shape: inputShape)
        if t {
            ReferenceConvolution.transposedBackwardData(dy: dy.pointer, dyShape: dy.shape, w: w.pointer, wShape: w.shape,
                                                        geometry: g, dx: dx.pointer, xShape: inputShape)
        } else {
            ReferenceConvolution.backwardData(dy: dy.pointer, dyShape: dy.shape, w: w.pointer, wShape: w.shape,
                                              geometry: g, dx: dx.pointer, xShape: inputShape)
        }
        return dx
    }

    public func convolutionBackwardWeights(_ x: Tensor, _ dy: Tensor, weightShape: Shape, withBias: Bool,
                                           geometry g: ConvGeometry, transposed t: Bool) -> (Tensor, Tensor?) {
        let x = convolutionInput(x), dy = convolutionInput(dy)
        let dw = Tensor(shape: weightShape)
        let db = withBias ? Tensor(shape: Shape(t ? weightShape[1] : weightShape[0])) : nil
        if t {
            ReferenceConvolution.transposedBackwardWeights(x: x.pointer, xShape: x.shape, dy: dy.pointer, dyShape: dy.shape,
                                                           geometry: g, dw: dw.pointer, wShape: weightShape, db: db?.pointer)
        } else {
            ReferenceConvolution.backwardWeights(x: x.pointer, xShape: x.shape, dy: dy.pointer, dyShape: dy.shape,
                                                 geometry: g, dw: dw.pointer, wShape: weightShape, db: db?.pointer)
        }
        return (dw, db)
    }

    /// relu?(conv(x, w) + b + residual?), the three steps one after another.
    public func fusedConvolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry g: ConvGeometry,
                                 residual: Tensor?, relu: Bool) -> Tensor {
        let y = convolution(x, weight: w, bias: b, geometry: g, transposed: false)
        if let residual {
            precondition(residual.shape == y.shape, "[fused conv] residual \(residual.shape) vs output \(y.shape)")
            let r = plain(residual)
            for i in 0..<y.count { y.pointer[i] += r.pointer[i] }
        }
        if relu {
            for i in 0..<y.count { y.pointer[i] = max(y.pointer[i], 0) }
        }
        return y
    }
}
