import Tensors
import CDNNL
import CDNNLShim

/// Convolution and transposed convolution through oneDNN: weights in the layout the primitive
/// prefers (`format_tag_any`, re-laid-out once per weight version). Activations are offered as
/// `format_tag_any` too and converted when the primitive chose another layout than they are
/// stored in (only at the network's edges: input image, class scores), because a primitive
/// mixing plain and blocked layouts falls back to a reference implementation hundreds of times slower.
extension CPUBackend {
    /// Winograd F(4×4, 3×3) keeps the transformed input and output, about 2.25× an input and an
    /// output map each (counted as 2.5× for the allocator's slack); a bfloat16 forward keeps its
    /// input converted to bfloat16 (2 bytes per channel); direct float32 convolutions need no more
    /// than their scratchpad, negligible here.
    /// Where the kernel is timed, the largest of its candidates'.
    public func convolutionWorkspaceBytesPerPixel(weight w: Shape, geometry: ConvGeometry, transposed: Bool) -> Int {
        let channels = w[0] + w[1]   // input + output, whichever order the weight stores them in
        return kernelCandidates(for: .forward, weight: w, geometry: geometry, transposed: transposed).map { k -> Int in
            switch k {
            case .winograd: return MemoryLayout<Float>.size * ((5 * channels + 1) / 2)
            case .bf16: return 2 * (transposed ? w[0] : w[1])
            case .direct: return 0
            }
        }.max()!
    }

    /// The descriptor a primitive is created with for an activation: `format_tag_any`, so that
    /// oneDNN picks one consistent layout for all of a primitive's tensors (for multiple-of-16
    /// channels that is the blocked layout they are stored in, so no conversion happens there).
    /// Exception: an image-like input (plain, at most 4 channels) is described as it is stored;
    /// offered `any`, a 1×1 convolution chose to pad it to 16 channels, a reorder costing more
    /// than the convolution. (Not for wider plain maps: with plain on both sides oneDNN picks its
    /// im2col/GEMM convolution, which is slower, and under which an interrupted run was seen to
    /// corrupt the heap at exit in about 2% of tries.)
    func activationDesc(_ shape: Shape, _ layout: Layout) -> dnnl_memory_desc_t {
        if layout == .plain, shape.rank == 4, shape.c <= 4 { return memoryDesc(shape.dims, dnnl_abcd) }
        return memoryDesc(shape.dims, dnnl_format_tag_any)
    }

    /// A pointer to `t` in the layout and element type `chosen` (a converted copy, kept alive by
    /// `keep`, when it differs). With `remember`, a bfloat16 copy is kept for the next pass that
    /// asks for the same tensor in the same form (backward-weights after backward-data, both
    /// reading the output gradient).
    func bindInput(_ t: Tensor, _ chosen: dnnl_memory_desc_t, _ keep: inout [Storage], key: String,
                   remember: Bool = false) -> UnsafeMutableRawPointer {
        var stored = memoryDesc(t), want = chosen
        if unet_md_equal(&stored, &want) != 0 { return raw(t) }
        if let last = lastConversion, last.matches(t, want) {
            keep.append(last.buffer)
            lastConversion = nil
            return UnsafeMutableRawPointer(last.buffer.pointer)
        }
        let tmp = Storage(count: (unet_md_size(&want) + 3) / 4)
        keep.append(tmp)
        reorder(stored, raw(t), want, UnsafeMutableRawPointer(tmp.pointer), key: "in|" + key)
        if remember, unet_md_is_bf16(&want) != 0 { lastConversion = ConvertedActivation(tensor: t, md: want, buffer: tmp) }
        return UnsafeMutableRawPointer(tmp.pointer)
    }

    /// Where the primitive should write `t` laid out as `chosen`; `finish` converts into `t` if needed.
    private func bindOutput(_ t: Tensor, _ chosen: dnnl_memory_desc_t, key: String) -> (UnsafeMutableRawPointer, () -> Void) {
        var stored = memoryDesc(t), want = chosen
        if unet_md_equal(&stored, &want) != 0 { return (raw(t), {}) }
        let tmp = Storage(count: (unet_md_size(&want) + 3) / 4)
        return (UnsafeMutableRawPointer(tmp.pointer), {
            self.reorder(want, UnsafeMutableRawPointer(tmp.pointer), stored, raw(t), key: "out|" + key)
            withExtendedLifetime(tmp) {}
        })
    }

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

    /// A convolution's cache key: with `kernel`, of its primitive; without, of the timed choice among kernels.
    private func convKey(_ x: Shape, _ xl: Layout, _ w: Shape, _ bias: Bool, _ g: ConvGeometry, _ t: Bool,
                         _ kernel: ConvolutionKernel? = nil) -> String {
        "\(t ? "deconv" : "conv")|\(x)|\(xl)|\(w)|\(bias)|\(g)" + (kernel.map { "|\($0)" } ?? "")
    }

    /// A convolution primitive descriptor computed by `kernel`, from float32 descriptors of its
    /// activations (`src`, `dst`: for backward-data the diff_src and diff_dst) and `format_tag_any`
    /// weights. For `.bf16` the inputs of the pass (forward: src and weights; backward-data:
    /// diff_dst and weights; backward-weights: src and diff_dst) become bfloat16 while results stay
    /// float32. `.winograd` falls back to direct where oneDNN has no Winograd for the shape or
    /// pass; `.bf16` falls back to float32 direct where oneDNN offers only its reference
    /// implementation. `sum` and `relu` are fused post-ops (forward inference). The scratchpad is
    /// ours to provide (`DNNLContext.execute` takes it from the buffer pool for the call): oneDNN's
    /// own would keep the largest one ever needed, the Winograd transforms of the first layer
    /// (hundreds of MB), resident for the whole run.
    func convolutionDescriptor(_ pass: unet_pass_t, kernel: ConvolutionKernel, weight w: Shape, geometry g: ConvGeometry,
                               transposed t: Bool, src: dnnl_memory_desc_t, bias: dnnl_memory_desc_t?,
                               dst: dnnl_memory_desc_t, sum: Bool = false, relu: Bool = false,
                               hint: const_dnnl_primitive_desc_t?, key: String) -> dnnl_primitive_desc_t {
        var attr: dnnl_primitive_attr_t?
        check(unet_postops_attr(&attr, sum ? 1 : 0, relu ? 1 : 0), key)
        check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), key)
        defer { dnnl_primitive_attr_destroy(attr) }
        let strides = [Int64(g.strideH), Int64(g.strideW)], pads = [Int64(g.padH), Int64(g.padW)]
        let f32Weights = anyWeightDesc(w, transposed: t)
        func create(winograd: Bool, _ src: dnnl_memory_desc_t, _ wei: dnnl_memory_desc_t, _ dst: dnnl_memory_desc_t) -> dnnl_primitive_desc_t? {
            var pd: dnnl_primitive_desc_t?
            var src = src, wei = wei, dst = dst
            let status = withOptionalDesc(bias) { bp in
                unet_conv_pd(&pd, dnnl.engine, pass, t ? 1 : 0, winograd ? 1 : 0, &src, &wei, bp, &dst, strides, pads, pads, attr, hint)
            }
            return status == dnnl_success ? pd : nil
        }
        switch kernel {
        case .winograd:
            if let pd = create(winograd: true, src, f32Weights, dst) { return pd }
        case .bf16:
            var s = src, w16 = f32Weights, d = dst
            let bf16Src = pass == UNET_BACKWARD_DATA ? src : unet_md_bf16(&s)
            let bf16Dst = pass == UNET_BACKWARD_DATA || pass == UNET_BACKWARD_WEIGHTS ? unet_md_bf16(&d) : dst
            let bf16Weights = pass == UNET_BACKWARD_WEIGHTS ? f32Weights : unet_md_bf16(&w16)
            if let pd = create(winograd: false, bf16Src, bf16Weights, bf16Dst) {
                if !DNNLPrimitive.isReference(DNNLPrimitive.implementationName(pd)) { return pd }
                dnnl_primitive_desc_destroy(pd)
            }
        case .direct: break
        }
        guard let pd = create(winograd: false, src, f32Weights, dst) else {
            fatalError("[oneDNN] convolution descriptor \(key) could not be created")
        }
        return pd
    }

    /// The forward primitive computed by `kernel`; also the hint for the backward passes computed by it.
    private func forwardPrimitive(_ x: Shape, _ xl: Layout, _ w: Shape, bias: Bool, _ g: ConvGeometry, transposed t: Bool,
                                  kernel: ConvolutionKernel) -> DNNLPrimitive {
        let key = "fwd|" + convKey(x, xl, w, bias, g, t, kernel)
        return dnnl.primitive(key) {
            let y = outputShape(x, w, g, transposed: t)
            let b = bias ? memoryDesc([outChannels(w, transposed: t)], dnnl_a) : nil
            return convolutionDescriptor(UNET_FORWARD_TRAINING, kernel: kernel, weight: w, geometry: g, transposed: t,
                                         src: activationDesc(x, xl), bias: b,
                                         dst: activationDesc(y, preferredLayout(channels: y.c)), hint: nil, key: key)
        }
    }

    /// `w` laid out (and typed) as `md`: the tensor itself when plain suffices; else a re-laid-out copy, cached
    /// across calls while the weight does not change (inference), transient while it is being
    /// trained (it changes every step, and a cache would only hold memory): pass `cacheable`
    /// accordingly. `keep` owns a transient copy.
    func weights(_ w: Tensor, as md: dnnl_memory_desc_t, transposed: Bool, key: String, cacheable: Bool, keep: inout [Storage]) -> UnsafeMutableRawPointer {
        var plain = weightDesc(w.shape, transposed: transposed)
        var wanted = md
        if unet_md_equal(&plain, &wanted) != 0 { return raw(w) }
        if let hit = weightCache[key], hit.matches(w) {
            return UnsafeMutableRawPointer(hit.buffer.pointer)
        }
        let buffer = Storage(count: (unet_md_size(&wanted) + 3) / 4)
        reorder(plain, raw(w), wanted, UnsafeMutableRawPointer(buffer.pointer), key: "wreorder|" + key)
        if !cacheable {
            weightCache[key] = nil
            keep.append(buffer)
        } else {
            weightCache[key] = CachedWeights(tensor: w, version: w.version, buffer: buffer)
        }
        return UnsafeMutableRawPointer(buffer.pointer)
    }

    public func convolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry g: ConvGeometry, transposed t: Bool) -> Tensor {
        precondition(x.shape.rank == 4 && w.shape.rank == 4, "[conv] input \(x.shape), weight \(w.shape) must be 4-D")
        precondition(x.shape.c == (t ? w.shape[0] : w.shape[1]),
                     "[\(t ? "conv_transpose2d" : "conv2d")] input \(x.shape) vs weight \(w.shape): channel mismatch")
        let yShape = outputShape(x.shape, w.shape, g, transposed: t)
        precondition(yShape.h > 0 && yShape.w > 0, "[conv] input \(x.shape) too small for kernel \(w.shape)")
        let y = Tensor(shape: yShape, layout: preferredLayout(channels: yShape.c))
        let cacheable = !(w.requiresGrad && Tape.isRecording)
        runTimed(.forward, weight: w.shape, geometry: g, transposed: t, key: "fwd|" + convKey(x.shape, x.layout, w.shape, b != nil, g, t)) { k in
            let p = forwardPrimitive(x.shape, x.layout, w.shape, bias: b != nil, g, transposed: t, kernel: k)
            let key = "fwd|" + convKey(x.shape, x.layout, w.shape, b != nil, g, t, k)
            let wmd = p.md(dnnl_query_weights_md), srcMD = p.md(dnnl_query_src_md), dstMD = p.md(dnnl_query_dst_md)
            var keep: [Storage] = []
            let wptr = weights(w, as: wmd, transposed: t, key: key, cacheable: cacheable, keep: &keep)
            let xptr = bindInput(x, srcMD, &keep, key: key)
            let (yptr, finish) = bindOutput(y, dstMD, key: key)
            var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
                (DNNL_ARG_SRC, srcMD, xptr), (DNNL_ARG_WEIGHTS, wmd, wptr), (DNNL_ARG_DST, dstMD, yptr),
            ]
            if let b { args.append((DNNL_ARG_BIAS, memoryDesc([b.count], dnnl_a), raw(b))) }
            dnnl.execute(p, args)
            finish()
            withExtendedLifetime(keep) {}
        }
        return y
    }

    public func convolutionBackwardData(_ dy: Tensor, weight w: Tensor, inputShape: Shape, inputLayout: Layout,
                                        geometry g: ConvGeometry, transposed t: Bool) -> Tensor {
        let dy = dy.inLayout(preferredLayout(channels: dy.shape.c))
        let dx = Tensor(shape: inputShape, layout: inputLayout)
        runTimed(.backwardData, weight: w.shape, geometry: g, transposed: t,
                 key: "bwd_data|" + convKey(inputShape, inputLayout, w.shape, false, g, t)) { k in
            let hint = forwardPrimitive(inputShape, inputLayout, w.shape, bias: false, g, transposed: t, kernel: k)
            let key = "bwd_data|" + convKey(inputShape, inputLayout, w.shape, false, g, t, k)
            let p = dnnl.primitive(key) {
                convolutionDescriptor(UNET_BACKWARD_DATA, kernel: k, weight: w.shape, geometry: g, transposed: t,
                                      src: activationDesc(inputShape, inputLayout), bias: nil,
                                      dst: activationDesc(dy.shape, dy.layout), hint: hint.pd, key: key)
            }
            let wmd = p.md(dnnl_query_weights_md), dsrcMD = p.md(dnnl_query_diff_src_md), ddstMD = p.md(dnnl_query_diff_dst_md)
            var keep: [Storage] = []
            let wptr = weights(w, as: wmd, transposed: t, key: key, cacheable: false, keep: &keep)
            let dyptr = bindInput(dy, ddstMD, &keep, key: key, remember: true)
            let (dxptr, finish) = bindOutput(dx, dsrcMD, key: key)
            dnnl.execute(p, [(DNNL_ARG_DIFF_DST, ddstMD, dyptr), (DNNL_ARG_WEIGHTS, wmd, wptr), (DNNL_ARG_DIFF_SRC, dsrcMD, dxptr)])
            finish()
            withExtendedLifetime(keep) {}
        }
        return dx
    }

    public func convolutionBackwardWeights(_ x: Tensor, _ dy: Tensor, weightShape: Shape, withBias: Bool,
                                           geometry g: ConvGeometry, transposed t: Bool) -> (Tensor, Tensor?) {
        let dy = dy.inLayout(preferredLayout(channels: dy.shape.c))
        let cout = outChannels(weightShape, transposed: t)
        let dw = Tensor(shape: weightShape)
        let db = withBias ? Tensor(shape: Shape(cout)) : nil
        runTimed(.backwardWeights, weight: weightShape, geometry: g, transposed: t,
                 key: "bwd_weights|" + convKey(x.shape, x.layout, weightShape, withBias, g, t)) { k in
            let hint = forwardPrimitive(x.shape, x.layout, weightShape, bias: withBias, g, transposed: t, kernel: k)
            let key = "bwd_weights|" + convKey(x.shape, x.layout, weightShape, withBias, g, t, k)
            let p = dnnl.primitive(key) {
                convolutionDescriptor(UNET_BACKWARD_WEIGHTS, kernel: k, weight: weightShape, geometry: g, transposed: t,
                                      src: activationDesc(x.shape, x.layout),
                                      bias: withBias ? memoryDesc([cout], dnnl_a) : nil,
                                      dst: activationDesc(dy.shape, dy.layout), hint: hint.pd, key: key)
            }
            var plain = weightDesc(weightShape, transposed: t)
            var chosen = p.md(dnnl_query_diff_weights_md)
            let direct = unet_md_equal(&plain, &chosen) != 0
            let scratch = direct ? nil : Storage(count: (unet_md_size(&chosen) + 3) / 4)
            let dwPtr = scratch.map { UnsafeMutableRawPointer($0.pointer) } ?? raw(dw)
            let srcMD = p.md(dnnl_query_src_md), ddstMD = p.md(dnnl_query_diff_dst_md)
            var keep: [Storage] = []
            let xptr = bindInput(x, srcMD, &keep, key: key)
            let dyptr = bindInput(dy, ddstMD, &keep, key: key + "|dy")
            var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
                (DNNL_ARG_SRC, srcMD, xptr), (DNNL_ARG_DIFF_DST, ddstMD, dyptr), (DNNL_ARG_DIFF_WEIGHTS, chosen, dwPtr),
            ]
            if let db { args.append((DNNL_ARG_DIFF_BIAS, memoryDesc([cout], dnnl_a), raw(db))) }
            dnnl.execute(p, args)
            withExtendedLifetime(keep) {}
            if let scratch { reorder(chosen, UnsafeMutableRawPointer(scratch.pointer), plain, raw(dw), key: "dwreorder|" + key) }
        }
        return (dw, db)
    }
}
