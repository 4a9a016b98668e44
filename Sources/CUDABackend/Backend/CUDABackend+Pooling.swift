import CCUDALoader
import Tensors

/// Max pooling's positions of the maxima (int32, one per output, within its plane).
final class CUDAPoolIndices {
    let argmax: Tensor
    init(_ argmax: Tensor) { self.argmax = argmax }
}

/// Pooling with the `pooling` kernels (no padding; ceil mode's partial windows as the reference).
extension CUDABackend {
    func poolArguments(_ s: Shape, _ oh: Int, _ ow: Int, _ g: PoolGeometry, max: Bool, layout: Layout) -> [CUDAContext.Argument] {
        [.int(max ? 1 : 0), .int(Int32(s.n)), .int(Int32(s.c)), .int(Int32(s.h)), .int(Int32(s.w)), .int(Int32(oh)), .int(Int32(ow)),
         .int(Int32(g.kernel)), .int(Int32(g.stride)), .int(layout == .channelsLast ? 1 : 0)]
    }

    public func pool(_ x: Tensor, kind: PoolKind, geometry g: PoolGeometry, training: Bool) -> (y: Tensor, context: AnyObject?) {
        let s = x.shape
        precondition(s.h >= g.kernel && s.w >= g.kernel, "[pool] input \(s) smaller than the \(g.kernel)x\(g.kernel) window")
        let (oh, ow) = (g.output(s.h), g.output(s.w))
        let y = tensor(Shape(s.n, s.c, oh, ow), layout: x.layout)
        // One index per output element, in the output's element order.
        let argmax = kind == .max ? tensor(Shape(y.count), dtype: .int32) : nil
        launch("pool_forward", .pooling, count: y.count,
               [.pointer(address(x)), .pointer(address(y)), .pointer(address(argmax))] + poolArguments(s, oh, ow, g, max: kind == .max, layout: x.layout))
        return (y, argmax.map { CUDAPoolIndices($0) })
    }

    public func poolBackward(_ dy: Tensor, inputShape s: Shape, inputLayout: Layout, kind: PoolKind, geometry g: PoolGeometry,
                             context: AnyObject?) -> Tensor {
        // In the forward's layout (its input's), which the indices follow.
        let layout = inputLayout == .channelsLast ? Layout.channelsLast : .plain
        let dy = relayout(dy, to: layout), d = dy.shape
        var argmax: Tensor?
        if kind == .max {
            guard let indices = context as? CUDAPoolIndices else { fatalError("[max_pool2d] backward without the forward's indices") }
            argmax = indices.argmax
        }
        let dx = tensor(s, layout: layout)
        launch("pool_backward", .pooling, count: s.count,
               [.pointer(address(dy)), .pointer(address(argmax)), .pointer(address(dx))] + poolArguments(s, d.h, d.w, g, max: kind == .max, layout: layout))
        return dx
    }
}
