import Tensors
import CDNNL
import CDNNLShim

/// Max pooling keeps oneDNN's argmax workspace between forward and backward.
final class PoolWorkspace {
    let storage: Storage
    let md: dnnl_memory_desc_t
    init(md: dnnl_memory_desc_t) {
        var m = md
        self.md = md
        storage = Storage(count: (unet_md_size(&m) + 3) / 4)
    }
}

/// 2-D pooling through oneDNN. Ceil mode is expressed as implicit right/bottom padding, which
/// max pooling ignores and average pooling excludes from the divisor (as PyTorch does).
extension CPUBackend {
    private func algorithm(_ kind: PoolKind) -> dnnl_alg_kind_t {
        kind == .max ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding
    }

    private func poolPrimitive(_ x: Shape, _ layout: Layout, _ kind: PoolKind, _ g: PoolGeometry, _ pass: unet_pass_t) -> DNNLPrimitive {
        let key = "pool|\(pass.rawValue)|\(x)|\(layout)|\(kind)|\(g)"
        return dnnl.primitive(key) {
            let y = Shape(x.n, x.c, g.output(x.h), g.output(x.w))
            var src = memoryDesc(x, layout), dst = memoryDesc(y, layout)
            let strides = [Int64(g.stride), Int64(g.stride)], kernel = [Int64(g.kernel), Int64(g.kernel)]
            let padL: [Int64] = [0, 0], padR = [Int64(g.rightPadding(x.h)), Int64(g.rightPadding(x.w))]
            var pd: dnnl_primitive_desc_t?
            let hint = pass == UNET_BACKWARD ? poolPrimitive(x, layout, kind, g, UNET_FORWARD_TRAINING).pd : nil
            check(unet_pool_pd(&pd, dnnl.engine, pass, algorithm(kind), &src, &dst, strides, kernel, padL, padR, hint), key)
            return pd!
        }
    }

    public func pool(_ x: Tensor, kind: PoolKind, geometry g: PoolGeometry, training: Bool) -> (y: Tensor, context: AnyObject?) {
        precondition(x.shape.h >= g.kernel && x.shape.w >= g.kernel, "[pool] input \(x.shape) smaller than the \(g.kernel)x\(g.kernel) window")
        let needsWorkspace = training && kind == .max
        let x = x.inLayout(workingLayout(x.layout, channels: x.shape.c))
        let p = poolPrimitive(x.shape, x.layout, kind, g, needsWorkspace ? UNET_FORWARD_TRAINING : UNET_FORWARD_INFERENCE)
        let y = Tensor(shape: Shape(x.shape.n, x.shape.c, g.output(x.shape.h), g.output(x.shape.w)), layout: x.layout)
        var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_SRC, memoryDesc(x), raw(x)), (DNNL_ARG_DST, memoryDesc(y), raw(y)),
        ]
        var workspace: PoolWorkspace?
        if needsWorkspace {
            let ws = PoolWorkspace(md: p.md(dnnl_query_workspace_md))
            args.append((DNNL_ARG_WORKSPACE, ws.md, UnsafeMutableRawPointer(ws.storage.pointer)))
            workspace = ws
        }
        dnnl.execute(p, args)
        return (y, workspace)
    }

    public func poolBackward(_ dy: Tensor, inputShape: Shape, inputLayout: Layout, kind: PoolKind, geometry g: PoolGeometry,
                             context: AnyObject?) -> Tensor {
        let inputLayout = workingLayout(inputLayout, channels: inputShape.c)
        let dy = dy.inLayout(inputLayout)
        let p = poolPrimitive(inputShape, inputLayout, kind, g, UNET_BACKWARD)
        let dx = Tensor(shape: inputShape, layout: inputLayout)
        var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_DIFF_DST, memoryDesc(dy), raw(dy)), (DNNL_ARG_DIFF_SRC, memoryDesc(dx), raw(dx)),
        ]
        if kind == .max {
            guard let ws = context as? PoolWorkspace else { fatalError("[max_pool2d] backward without the forward's workspace") }
            args.append((DNNL_ARG_WORKSPACE, ws.md, UnsafeMutableRawPointer(ws.storage.pointer)))
        }
        dnnl.execute(p, args)
        return dx
    }
}
