import Tensors
import CDNNL
import CDNNLShim

/// Inference convolutions with oneDNN post-ops: the residual sum and the ReLU happen while the
/// output tile is still in cache, instead of as two more passes over memory. Where oneDNN has only
/// its reference implementation for the fused form with the output's layout fixed (on AVX2 it did
/// for a blocked output of the wrong width: 126 of 139 s of an inference), the convolution (free to
/// choose its layouts), the sum and the ReLU run as separate optimised primitives instead.
extension CPUBackend {
    public func fusedConvolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry g: ConvGeometry,
                                 residual: Tensor?, relu: Bool) -> Tensor {
        let cout = w.shape[0]
        let yShape = Shape(x.shape.n, cout, g.convOutput(x.shape.h, kernel: w.shape[2], vertical: true),
                           g.convOutput(x.shape.w, kernel: w.shape[3], vertical: false))
        let layout = preferredLayout(channels: cout)
        if let residual { precondition(residual.shape == yShape, "[fused conv] residual \(residual.shape) vs output \(yShape)") }
        // The sum post-op accumulates into dst, so dst starts as the residual, in the output's layout.
        let y: Tensor
        if let residual {
            y = residual.inLayout(layout).copy()
        } else {
            y = Tensor(shape: yShape, layout: layout)
        }
        let base = "fused|\(x.shape)|\(x.layout)|\(w.shape)|\(b != nil)|\(g)|\(residual != nil)|\(relu)"
        if fusionRunsReference(base, x, w.shape, bias: b != nil, g, yShape, layout, residual != nil, relu) {
            return unfusedConvolution(x, weight: w, bias: b, geometry: g, residual: residual, relu: relu)
        }
        // Timing runs (bf16's first call per shape) write into y too; with the sum post-op they
        // accumulate, so y starts again from the residual before the real run (no scratch output,
        // which would raise the peak memory).
        var trialsRan = false
        runTimed(.forward, weight: w.shape, geometry: g, transposed: false, key: base) { k, timing in
            let key = base + "|\(k)"
            let p = dnnl.primitive(key) {
                convolutionDescriptor(UNET_FORWARD_INFERENCE, kernel: k, weight: w.shape, geometry: g, transposed: false,
                                      src: activationDesc(x.shape, x.layout),
                                      bias: b.map { _ in memoryDesc([cout], dnnl_a) },
                                      dst: memoryDesc(yShape, layout), sum: residual != nil, relu: relu, hint: nil, key: key)
            }
            if timing {
                trialsRan = true
            } else if trialsRan, let residual {
                let r = residual.inLayout(layout)
                UnsafeMutableRawPointer(raw(y)).copyMemory(from: raw(r), byteCount: y.count * MemoryLayout<Float>.size)
            }
            let wmd = p.md(dnnl_query_weights_md), srcMD = p.md(dnnl_query_src_md)
            var keep: [Storage] = []
            let wptr = weights(w, as: wmd, transposed: false, key: key, cacheable: true, keep: &keep)
            let xptr = bindInput(x, srcMD, &keep, key: key)
            var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
                (DNNL_ARG_SRC, srcMD, xptr), (DNNL_ARG_WEIGHTS, wmd, wptr), (DNNL_ARG_DST, memoryDesc(y), raw(y)),
            ]
            if let b { args.append((DNNL_ARG_BIAS, memoryDesc([cout], dnnl_a), raw(b))) }
            dnnl.execute(p, args)
            withExtendedLifetime(keep) {}
        }
        return y
    }

    /// Whether oneDNN would compute this fused convolution with a reference kernel (asked once per
    /// shape, with the kernel the first candidate uses; the answer is kept for the process).
    private func fusionRunsReference(_ base: String, _ x: Tensor, _ w: Shape, bias: Bool, _ g: ConvGeometry, _ yShape: Shape,
                                     _ layout: Layout, _ sum: Bool, _ relu: Bool) -> Bool {
        if let known = referenceFusions[base] { return known }
        let kernel = kernelCandidates(for: .forward, weight: w, geometry: g, transposed: false)[0]
        let pd = convolutionDescriptor(UNET_FORWARD_INFERENCE, kernel: kernel, weight: w, geometry: g, transposed: false,
                                       src: activationDesc(x.shape, x.layout),
                                       bias: bias ? memoryDesc([w[0]], dnnl_a) : nil,
                                       dst: memoryDesc(yShape, layout), sum: sum, relu: relu, hint: nil, key: base)
        let reference = DNNLPrimitive.isReference(DNNLPrimitive.implementationName(pd))
        dnnl_primitive_desc_destroy(pd)
        referenceFusions[base] = reference
        return reference
    }

    /// The same result as separate primitives: convolution with bias, then the sum, then the ReLU.
    private func unfusedConvolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry g: ConvGeometry,
                                    residual: Tensor?, relu: Bool) -> Tensor {
        let y = convolution(x, weight: w, bias: b, geometry: g, transposed: false)
        guard let residual else { return relu ? activation(y, .relu) : y }
        return relu ? addReLU(y, residual) : add(y, residual)
    }
}
