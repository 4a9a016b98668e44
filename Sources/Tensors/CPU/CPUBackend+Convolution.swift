import CDNNL
import CDNNLShim

/// Convolution and transposed convolution through oneDNN: weights in the layout the primitive
/// prefers (`format_tag_any`, re-laid-out once per weight version), activations as stored.
extension CPUBackend {
    /// oneDNN's logical weight dims are (out, in, kh, kw) for both; a transposed convolution's
    /// PyTorch weight (in, out, kh, kw) is described to it with the `iohw` tag.
    private func weightDesc(_ w: Shape, transposed: Bool) -> dnnl_memory_desc_t {
        transposed ? memoryDesc([w[1], w[0], w[2], w[3]], dnnl_iohw) : memoryDesc(w.dims, dnnl_oihw)
    }

    private func outChannels(_ w: Shape, transposed: Bool) -> Int { transposed ? w[1] : w[0] }

    private func outputShape(_ x: Shape, _ w: Shape, _ g: ConvGeometry, transposed: Bool) -> Shape {
        let (kh, kw) = (w[2], w[3])
        if transposed {
            return Shape(x.n, w[1], g.deconvOutput(x.h, kernel: kh, vertical: true), g.deconvOutput(x.w, kernel: kw, vertical: false))
        }
        return Shape(x.n, w[0], g.convOutput(x.h, kernel: kh, vertical: true), g.convOutput(x.w, kernel: kw, vertical: false))
    }

    private func anyWeightDesc(_ w: Shape, transposed: Bool) -> dnnl_memory_desc_t {
        transposed ? memoryDesc([w[1], w[0], w[2], w[3]], dnnl_format_tag_any) : memoryDesc(w.dims, dnnl_format_tag_any)
    }

    private func convKey(_ x: Shape, _ xl: Layout, _ w: Shape, _ bias: Bool, _ g: ConvGeometry, _ t: Bool) -> String {
        "\(t ? "deconv" : "conv")|\(x)|\(xl)|\(w)|\(bias)|\(g)"
    }

    /// The forward primitive descriptor, also the hint for the backward passes.
    private func forwardPrimitive(_ x: Shape, _ xl: Layout, _ w: Shape, bias: Bool, _ g: ConvGeometry, transposed t: Bool) -> DNNLPrimitive {
        let key = "fwd|" + convKey(x, xl, w, bias, g, t)
        return dnnl.primitive(key) {
            let y = outputShape(x, w, g, transposed: t)
            var src = memoryDesc(x, xl)
            var wei = anyWeightDesc(w, transposed: t)
            let b = bias ? memoryDesc([outChannels(w, transposed: t)], dnnl_a) : nil
            var dst = memoryDesc(y, preferredLayout(channels: y.c))
            var pd: dnnl_primitive_desc_t?
            let strides = [Int64(g.strideH), Int64(g.strideW)], pads = [Int64(g.padH), Int64(g.padW)]
            withOptionalDesc(b) { bp in
                check(unet_conv_pd(&pd, dnnl.engine, UNET_FORWARD_TRAINING, t ? 1 : 0, &src, &wei, bp, &dst,
                                   strides, pads, pads, nil, nil), key)
            }
            return pd!
        }
    }

    /// `w` in the layout `md` describes: the tensor itself when plain suffices, else a cached re-laid-out copy.
    private func weights(_ w: Tensor, as md: dnnl_memory_desc_t, transposed: Bool, key: String) -> UnsafeMutableRawPointer {
        var plain = weightDesc(w.shape, transposed: transposed)
        var wanted = md
        if unet_md_equal(&plain, &wanted) != 0 { return raw(w) }
        if let hit = weightCache[key], hit.tensor == ObjectIdentifier(w), hit.version == w.version {
            return UnsafeMutableRawPointer(hit.buffer.pointer)
        }
        let buffer = Storage(count: (unet_md_size(&wanted) + 3) / 4)
        reorder(plain, raw(w), wanted, UnsafeMutableRawPointer(buffer.pointer), key: "wreorder|" + key)
        weightCache[key] = (ObjectIdentifier(w), w.version, buffer)
        return UnsafeMutableRawPointer(buffer.pointer)
    }

    public func convolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry g: ConvGeometry, transposed t: Bool) -> Tensor {
        precondition(x.shape.rank == 4 && w.shape.rank == 4, "[conv] input \(x.shape), weight \(w.shape) must be 4-D")
        precondition(x.shape.c == (t ? w.shape[0] : w.shape[1]),
                     "[\(t ? "conv_transpose2d" : "conv2d")] input \(x.shape) vs weight \(w.shape): channel mismatch")
        let p = forwardPrimitive(x.shape, x.layout, w.shape, bias: b != nil, g, transposed: t)
        let yShape = outputShape(x.shape, w.shape, g, transposed: t)
        precondition(yShape.h > 0 && yShape.w > 0, "[conv] input \(x.shape) too small for kernel \(w.shape)")
        let y = Tensor(shape: yShape, layout: preferredLayout(channels: yShape.c))
        let wmd = p.md(dnnl_query_weights_md)
        let wptr = weights(w, as: wmd, transposed: t, key: "fwd|" + convKey(x.shape, x.layout, w.shape, b != nil, g, t))
        var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_SRC, memoryDesc(x), raw(x)), (DNNL_ARG_WEIGHTS, wmd, wptr), (DNNL_ARG_DST, memoryDesc(y), raw(y)),
        ]
        if let b { args.append((DNNL_ARG_BIAS, memoryDesc([b.count], dnnl_a), raw(b))) }
        dnnl.execute(p, args)
        return y
    }

    public func convolutionBackwardData(_ dy: Tensor, weight w: Tensor, inputShape: Shape, inputLayout: Layout,
                                        geometry g: ConvGeometry, transposed t: Bool) -> Tensor {
        let dy = dy.inLayout(preferredLayout(channels: dy.shape.c))
        let base = convKey(inputShape, inputLayout, w.shape, false, g, t)
        let hint = forwardPrimitive(inputShape, inputLayout, w.shape, bias: false, g, transposed: t)
        let key = "bwd_data|" + base
        let p = dnnl.primitive(key) {
            var dsrc = memoryDesc(inputShape, inputLayout)
            var wei = anyWeightDesc(w.shape, transposed: t)
            var ddst = memoryDesc(dy)
            var pd: dnnl_primitive_desc_t?
            let strides = [Int64(g.strideH), Int64(g.strideW)], pads = [Int64(g.padH), Int64(g.padW)]
            check(unet_conv_pd(&pd, dnnl.engine, UNET_BACKWARD_DATA, t ? 1 : 0, &dsrc, &wei, nil, &ddst,
                               strides, pads, pads, nil, hint.pd), key)
            return pd!
        }
        let dx = Tensor(shape: inputShape, layout: inputLayout)
        let wmd = p.md(dnnl_query_weights_md)
        let wptr = weights(w, as: wmd, transposed: t, key: key)
        dnnl.execute(p, [(DNNL_ARG_DIFF_DST, memoryDesc(dy), raw(dy)), (DNNL_ARG_WEIGHTS, wmd, wptr),
                         (DNNL_ARG_DIFF_SRC, memoryDesc(dx), raw(dx))])
        return dx
    }

    public func convolutionBackwardWeights(_ x: Tensor, _ dy: Tensor, weightShape: Shape, withBias: Bool,
                                           geometry g: ConvGeometry, transposed t: Bool) -> (Tensor, Tensor?) {
        let dy = dy.inLayout(preferredLayout(channels: dy.shape.c))
        let base = convKey(x.shape, x.layout, weightShape, withBias, g, t)
        let hint = forwardPrimitive(x.shape, x.layout, weightShape, bias: withBias, g, transposed: t)
        let key = "bwd_weights|" + base
        let cout = outChannels(weightShape, transposed: t)
        let p = dnnl.primitive(key) {
            var src = memoryDesc(x)
            var dwei = anyWeightDesc(weightShape, transposed: t)
            let db = withBias ? memoryDesc([cout], dnnl_a) : nil
            var ddst = memoryDesc(dy)
            var pd: dnnl_primitive_desc_t?
            let strides = [Int64(g.strideH), Int64(g.strideW)], pads = [Int64(g.padH), Int64(g.padW)]
            withOptionalDesc(db) { dbp in
                check(unet_conv_pd(&pd, dnnl.engine, UNET_BACKWARD_WEIGHTS, t ? 1 : 0, &src, &dwei, dbp, &ddst,
                                   strides, pads, pads, nil, hint.pd), key)
            }
            return pd!
        }
        let dw = Tensor(shape: weightShape)
        var plain = weightDesc(weightShape, transposed: t)
        var chosen = p.md(dnnl_query_diff_weights_md)
        let direct = unet_md_equal(&plain, &chosen) != 0
        let scratch = direct ? nil : Storage(count: (unet_md_size(&chosen) + 3) / 4)
        let dwPtr = scratch.map { UnsafeMutableRawPointer($0.pointer) } ?? raw(dw)
        var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_SRC, memoryDesc(x), raw(x)), (DNNL_ARG_DIFF_DST, memoryDesc(dy), raw(dy)), (DNNL_ARG_DIFF_WEIGHTS, chosen, dwPtr),
        ]
        let db = withBias ? Tensor(shape: Shape(cout)) : nil
        if let db { args.append((DNNL_ARG_DIFF_BIAS, memoryDesc([cout], dnnl_a), raw(db))) }
        dnnl.execute(p, args)
        if let scratch { reorder(chosen, UnsafeMutableRawPointer(scratch.pointer), plain, raw(dw), key: "dwreorder|" + key) }
        return (dw, db)
    }
}
