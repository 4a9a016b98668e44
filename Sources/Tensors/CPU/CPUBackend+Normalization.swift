import CDNNL
import CDNNLShim

/// Batch normalisation through oneDNN (scale = gamma, shift = beta, per channel).
extension CPUBackend {
    private var scaleShift: UInt32 { dnnl_use_scale.rawValue | dnnl_use_shift.rawValue }

    private func bnPrimitive(_ x: Tensor, _ pass: unet_pass_t, eps: Float, flags: UInt32) -> DNNLPrimitive {
        let key = "bn|\(pass.rawValue)|\(x.shape)|\(x.layout)|\(eps)|\(flags)"
        return dnnl.primitive(key) {
            var md = memoryDesc(x)
            var pd: dnnl_primitive_desc_t?
            if pass == UNET_BACKWARD {
                let hint = bnPrimitive(x, flags & dnnl_use_global_stats.rawValue != 0 ? UNET_FORWARD_INFERENCE : UNET_FORWARD_TRAINING,
                                       eps: eps, flags: flags)
                var diff = md
                check(unet_bnorm_pd(&pd, dnnl.engine, pass, &md, &diff, eps, flags, hint.pd), key)
            } else {
                check(unet_bnorm_pd(&pd, dnnl.engine, pass, &md, nil, eps, flags, nil), key)
            }
            return pd!
        }
    }

    public func batchNormTraining(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float) -> (y: Tensor, mean: Tensor, variance: Tensor) {
        let c = x.shape.c
        let p = bnPrimitive(x, UNET_FORWARD_TRAINING, eps: epsilon, flags: scaleShift)
        let y = Tensor(shape: x.shape, layout: x.layout)
        let mean = Tensor(shape: Shape(c)), variance = Tensor(shape: Shape(c))
        let v = memoryDesc([c], dnnl_a)
        dnnl.execute(p, [(DNNL_ARG_SRC, memoryDesc(x), raw(x)), (DNNL_ARG_DST, memoryDesc(y), raw(y)),
                         (DNNL_ARG_SCALE, v, raw(gamma)), (DNNL_ARG_SHIFT, v, raw(beta)),
                         (DNNL_ARG_MEAN, v, raw(mean)), (DNNL_ARG_VARIANCE, v, raw(variance))])
        return (y, mean, variance)
    }

    public func batchNormInference(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> Tensor {
        let c = x.shape.c
        let p = bnPrimitive(x, UNET_FORWARD_INFERENCE, eps: epsilon, flags: scaleShift | dnnl_use_global_stats.rawValue)
        let y = Tensor(shape: x.shape, layout: x.layout)
        let v = memoryDesc([c], dnnl_a)
        dnnl.execute(p, [(DNNL_ARG_SRC, memoryDesc(x), raw(x)), (DNNL_ARG_DST, memoryDesc(y), raw(y)),
                         (DNNL_ARG_SCALE, v, raw(gamma)), (DNNL_ARG_SHIFT, v, raw(beta)),
                         (DNNL_ARG_MEAN, v, raw(mean)), (DNNL_ARG_VARIANCE, v, raw(variance))])
        return y
    }

    public func batchNormBackward(_ dy: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor,
                                  epsilon: Float, statisticsFixed: Bool) -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
        let c = x.shape.c
        let dy = dy.inLayout(x.layout)
        let flags = scaleShift | (statisticsFixed ? dnnl_use_global_stats.rawValue : 0)
        let p = bnPrimitive(x, UNET_BACKWARD, eps: epsilon, flags: flags)
        let dx = Tensor(shape: x.shape, layout: x.layout)
        let dgamma = Tensor(shape: Shape(c)), dbeta = Tensor(shape: Shape(c))
        let v = memoryDesc([c], dnnl_a)
        dnnl.execute(p, [(DNNL_ARG_SRC, memoryDesc(x), raw(x)), (DNNL_ARG_DIFF_DST, memoryDesc(dy), raw(dy)),
                         (DNNL_ARG_SCALE, v, raw(gamma)), (DNNL_ARG_SHIFT, v, raw(beta)),
                         (DNNL_ARG_MEAN, v, raw(mean)), (DNNL_ARG_VARIANCE, v, raw(variance)),
                         (DNNL_ARG_DIFF_SRC, memoryDesc(dx), raw(dx)),
                         (DNNL_ARG_DIFF_SCALE, v, raw(dgamma)), (DNNL_ARG_DIFF_SHIFT, v, raw(dbeta))])
        return (dx, dgamma, dbeta)
    }
}
