import CDNNL
import CDNNLShim

/// ReLU and leaky ReLU through oneDNN's eltwise primitive (alpha is the negative slope).
extension CPUBackend {
    private func slope(_ kind: Activation) -> Float {
        switch kind {
        case .relu: return 0
        case .leakyRelu(let s): return s
        }
    }

    private func eltwisePrimitive(_ x: Tensor, _ kind: Activation, _ pass: unet_pass_t) -> DNNLPrimitive {
        let md = memoryDesc([x.count], dnnl_a)
        let key = "relu|\(pass.rawValue)|\(x.count)|\(slope(kind))"
        return dnnl.primitive(key) {
            var m = md
            var pd: dnnl_primitive_desc_t?
            let hint = pass == UNET_BACKWARD ? eltwisePrimitive(x, kind, UNET_FORWARD_TRAINING).pd : nil
            withOptionalDesc(pass == UNET_BACKWARD ? md : nil) { d in
                check(unet_eltwise_pd(&pd, dnnl.engine, pass, dnnl_eltwise_relu, &m, d, slope(kind), 0, hint), key)
            }
            return pd!
        }
    }

    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        let p = eltwisePrimitive(x, kind, UNET_FORWARD_TRAINING)
        let y = Tensor(shape: x.shape, layout: x.layout)
        let md = memoryDesc([x.count], dnnl_a)
        dnnl.execute(p, [(DNNL_ARG_SRC, md, raw(x)), (DNNL_ARG_DST, md, raw(y))])
        return y
    }

    public func activationBackward(_ dy: Tensor, x: Tensor, _ kind: Activation) -> Tensor {
        let dy = dy.inLayout(x.layout)
        let p = eltwisePrimitive(x, kind, UNET_BACKWARD)
        let dx = Tensor(shape: x.shape, layout: x.layout)
        let md = memoryDesc([x.count], dnnl_a)
        dnnl.execute(p, [(DNNL_ARG_SRC, md, raw(x)), (DNNL_ARG_DIFF_DST, md, raw(dy)), (DNNL_ARG_DIFF_SRC, md, raw(dx))])
        return dx
    }
}
