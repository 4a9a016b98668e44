import Tensors
import CDNNL
import CDNNLShim

/// ReLU and leaky ReLU through oneDNN's eltwise primitive (alpha is the negative slope). The
/// backward pass reads the output, not the input (`relu_use_dst_for_bwd`), so the input can be
/// released as soon as the forward is done: ReLU's gradient mask is the same either way.
extension CPUBackend {
    private func slope(_ kind: Activation) -> Float {
        switch kind {
        case .relu: return 0
        case .leakyRelu(let s): return s
        }
    }

    private func eltwisePrimitive(_ count: Int, _ kind: Activation, _ pass: unet_pass_t) -> DNNLPrimitive {
        let md = memoryDesc([count], dnnl_a)
        let key = "relu|\(pass.rawValue)|\(count)|\(slope(kind))"
        return dnnl.primitive(key) {
            var m = md
            var pd: dnnl_primitive_desc_t?
            let hint = pass == UNET_BACKWARD ? eltwisePrimitive(count, kind, UNET_FORWARD_TRAINING).pd : nil
            withOptionalDesc(pass == UNET_BACKWARD ? md : nil) { d in
                check(unet_eltwise_pd(&pd, dnnl.engine, pass, dnnl_eltwise_relu_use_dst_for_bwd, &m, d, slope(kind), 0, hint), key)
            }
            return pd!
        }
    }

    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        let p = eltwisePrimitive(x.count, kind, UNET_FORWARD_TRAINING)
        let y = Tensor(shape: x.shape, layout: x.layout)
        let md = memoryDesc([x.count], dnnl_a)
        dnnl.execute(p, [(DNNL_ARG_SRC, md, raw(x)), (DNNL_ARG_DST, md, raw(y))])
        return y
    }

    public func activationBackward(_ dy: Tensor, y: Tensor, _ kind: Activation) -> Tensor {
        let dy = dy.inLayout(y.layout)
        let p = eltwisePrimitive(y.count, kind, UNET_BACKWARD)
        let dx = Tensor(shape: y.shape, layout: y.layout)
        let md = memoryDesc([y.count], dnnl_a)
        dnnl.execute(p, [(DNNL_ARG_DST, md, raw(y)), (DNNL_ARG_DIFF_DST, md, raw(dy)), (DNNL_ARG_DIFF_SRC, md, raw(dx))])
        return dx
    }

    public func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "[add_relu] \(a.shape) vs \(b.shape)")
        let b = b.inLayout(a.layout)
        let y = Tensor(shape: a.shape, layout: a.layout)
        let md = memoryDesc([a.count], dnnl_a)
        let key = "add_relu|\(a.count)"
        let p = dnnl.primitive(key) {
            var pd: dnnl_primitive_desc_t?
            var m0 = md, m1 = md, m2 = md
            var attr: dnnl_primitive_attr_t?
            check(unet_postops_attr(&attr, 0, 1), key)
            defer { dnnl_primitive_attr_destroy(attr) }
            check(unet_binary_attr_pd(&pd, dnnl.engine, dnnl_binary_add, &m0, &m1, &m2, attr), key)
            return pd!
        }
        dnnl.execute(p, [(DNNL_ARG_SRC_0, md, raw(a)), (DNNL_ARG_SRC_1, md, raw(b)), (DNNL_ARG_DST, md, raw(y))])
        return y
    }
}
