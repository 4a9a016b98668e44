import Tensors
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

    private func reluFlag(_ fused: Bool) -> UInt32 { fused ? dnnl_fuse_norm_relu.rawValue : 0 }

    public func batchNormTraining(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float, fusedReLU: Bool)
        -> (y: Tensor, mean: Tensor, variance: Tensor, context: AnyObject?) {
        let x = x.inLayout(workingLayout(x.layout, channels: x.shape.c))
        let c = x.shape.c
        let p = bnPrimitive(x, UNET_FORWARD_TRAINING, eps: epsilon, flags: scaleShift | reluFlag(fusedReLU))
        let y = Tensor(shape: x.shape, layout: x.layout)
        let mean = Tensor(shape: Shape(c)), variance = Tensor(shape: Shape(c))
        let v = memoryDesc([c], dnnl_a)
        var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_SRC, memoryDesc(x), raw(x)), (DNNL_ARG_DST, memoryDesc(y), raw(y)),
            (DNNL_ARG_SCALE, v, raw(gamma)), (DNNL_ARG_SHIFT, v, raw(beta)),
            (DNNL_ARG_MEAN, v, raw(mean)), (DNNL_ARG_VARIANCE, v, raw(variance)),
        ]
        // With ReLU fused, the backward pass needs the forward's mask of clipped elements.
        var workspace: PoolWorkspace?
        if fusedReLU {
            let ws = PoolWorkspace(md: p.md(dnnl_query_workspace_md))
            args.append((DNNL_ARG_WORKSPACE, ws.md, UnsafeMutableRawPointer(ws.storage.pointer)))
            workspace = ws
        }
        dnnl.execute(p, args)
        return (y, mean, variance, workspace)
    }

    public func batchNormInference(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> Tensor {
        let x = x.inLayout(workingLayout(x.layout, channels: x.shape.c))
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
                                  epsilon: Float, statisticsFixed: Bool, fusedReLU: Bool, context: AnyObject?) -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
        let c = x.shape.c
        let x = x.inLayout(workingLayout(x.layout, channels: c))
        let dy = dy.inLayout(x.layout)
        let flags = scaleShift | (statisticsFixed ? dnnl_use_global_stats.rawValue : 0) | reluFlag(fusedReLU)
        let p = bnPrimitive(x, UNET_BACKWARD, eps: epsilon, flags: flags)
        let dx = Tensor(shape: x.shape, layout: x.layout)
        let dgamma = Tensor(shape: Shape(c)), dbeta = Tensor(shape: Shape(c))
        let v = memoryDesc([c], dnnl_a)
        let args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [(DNNL_ARG_SRC, memoryDesc(x), raw(x)), (DNNL_ARG_DIFF_DST, memoryDesc(dy), raw(dy)),
                         (DNNL_ARG_SCALE, v, raw(gamma)), (DNNL_ARG_SHIFT, v, raw(beta)),
                         (DNNL_ARG_MEAN, v, raw(mean)), (DNNL_ARG_VARIANCE, v, raw(variance)),
                         (DNNL_ARG_DIFF_SRC, memoryDesc(dx), raw(dx)),
                         (DNNL_ARG_DIFF_SCALE, v, raw(dgamma)), (DNNL_ARG_DIFF_SHIFT, v, raw(dbeta))]
                         + workspaceArgument(fusedReLU, context)
        dnnl.execute(p, args)
        return (dx, dgamma, dbeta)
    }

    private func workspaceArgument(_ fused: Bool, _ context: AnyObject?) -> [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] {
        guard fused else { return [] }
        guard let ws = context as? PoolWorkspace else { fatalError("[batch_norm] fused ReLU backward without the forward's workspace") }
        return [(DNNL_ARG_WORKSPACE, ws.md, UnsafeMutableRawPointer(ws.storage.pointer))]
    }
}

extension CPUBackend {
    /// Per output channel: the weights scaled by γ/√(σ²+ε), the bias shifted (float32, as the
    /// inference path has always folded).
    public func foldBatchNorm(weight: Tensor, bias: Tensor?, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor,
                              epsilon: Float) -> (weight: Tensor, bias: Tensor) {
        let cout = weight.shape[0], per = weight.count / cout
        let w = weight.inLayout(.plain)
        let fw = Tensor(shape: weight.shape), fb = Tensor(shape: Shape(cout))
        for o in 0..<cout {
            let scale = gamma.pointer[o] / (variance.pointer[o] + epsilon).squareRoot()
            for i in 0..<per { fw.pointer[o * per + i] = w.pointer[o * per + i] * scale }
            fb.pointer[o] = ((bias?.pointer[o] ?? 0) - mean.pointer[o]) * scale + beta.pointer[o]
        }
        return (fw, fb)
    }
}
