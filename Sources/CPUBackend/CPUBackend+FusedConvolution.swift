import Tensors
import CDNNL
import CDNNLShim

/// Inference convolutions with oneDNN post-ops: the residual sum and the ReLU happen while the
/// output tile is still in cache, instead of as two more passes over memory.
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
}
