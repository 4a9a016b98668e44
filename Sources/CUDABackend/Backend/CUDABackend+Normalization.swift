import CCUDALoader
import Tensors

/// Batch normalisation with the `normalization` kernels: per-channel sums on a (chunks,
/// channels) grid, two-pass statistics in double, and the backward pass recomputing the fused
/// ReLU's mask from x (no context is kept: the tape holds x anyway).
extension CUDABackend {
    /// Chunks per channel: enough blocks to fill the GPU whatever the channel count.
    func chunks(channels: Int, elements: Int) -> Int {
        max(1, min((elements + 255) / 256, (context.multiprocessors * 8 + channels - 1) / channels))
    }

    public func batchNormTraining(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float, fusedReLU: Bool)
        -> (y: Tensor, mean: Tensor, variance: Tensor, context: AnyObject?) {
        let s = x.shape, m = s.n * s.h * s.w
        let k = chunks(channels: s.c, elements: m)
        let partial = scratch(doubles: k * s.c), sums = scratch(doubles: s.c), meanDouble = scratch(doubles: s.c)
        let mean = tensor(Shape(s.c)), variance = tensor(Shape(s.c))
        context.makeCurrent()
        context.launch("channel_sums", in: .normalization, grid: k, gridY: s.c,
                       [.pointer(address(x)), .pointer(0), .int(0), .pointer(address(partial))] + dimensions(x))
        context.launch("sum_partials", in: .reduction, grid: s.c, [.pointer(address(partial)), .int(Int32(k)), .int(Int32(s.c)), .pointer(address(sums))])
        context.launch("finish_mean", in: .normalization, grid: 1,
                       [.pointer(address(sums)), .f64(Double(m)), .pointer(address(meanDouble)), .pointer(address(mean)), .int(Int32(s.c))])
        context.launch("channel_sums", in: .normalization, grid: k, gridY: s.c,
                       [.pointer(address(x)), .pointer(address(meanDouble)), .int(1), .pointer(address(partial))] + dimensions(x))
        context.launch("sum_partials", in: .reduction, grid: s.c, [.pointer(address(partial)), .int(Int32(k)), .int(Int32(s.c)), .pointer(address(sums))])
        context.launch("finish_variance", in: .normalization, grid: 1,
                       [.pointer(address(sums)), .f64(Double(m)), .pointer(address(variance)), .int(Int32(s.c))])
        let y = normalize(x, gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon, relu: fusedReLU)
        return (y, mean, variance, nil)
    }

    func normalize(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float, relu: Bool) -> Tensor {
        let y = tensor(x.shape, layout: x.layout)
        launch("batch_norm_apply", .normalization, count: x.count,
               [.pointer(address(x)), .pointer(address(y)), .pointer(address(gamma)), .pointer(address(beta)), .pointer(address(mean)),
                .pointer(address(variance)), .float(epsilon), .int(relu ? 1 : 0)] + dimensions(x))
        return y
    }

    public func batchNormInference(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> Tensor {
        normalize(x, gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon, relu: false)
    }

    public func batchNormBackward(_ dy: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float,
                                  statisticsFixed: Bool, fusedReLU: Bool, context _: AnyObject?) -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
        let s = x.shape, m = s.n * s.h * s.w
        let dy = relayout(dy, to: x.layout)
        let k = chunks(channels: s.c, elements: m)
        let partial = scratch(doubles: k * 2 * s.c), sums = scratch(doubles: 2 * s.c)
        let statistics: [CUDAContext.Argument] = [.pointer(address(gamma)), .pointer(address(beta)), .pointer(address(mean)),
                                                  .pointer(address(variance)), .float(epsilon), .int(fusedReLU ? 1 : 0)]
        context.makeCurrent()
        context.launch("batch_norm_backward_sums", in: .normalization, grid: k, gridY: s.c,
                       [.pointer(address(dy)), .pointer(address(x))] + statistics + [.pointer(address(partial))] + dimensions(x))
        context.launch("sum_partials", in: .reduction, grid: 2 * s.c,
                       [.pointer(address(partial)), .int(Int32(k)), .int(Int32(2 * s.c)), .pointer(address(sums))])
        let dx = tensor(s, layout: x.layout), dgamma = tensor(Shape(s.c)), dbeta = tensor(Shape(s.c))
        launch("batch_norm_backward_dx", .normalization, count: s.count,
               [.pointer(address(dy)), .pointer(address(x))] + statistics
                + [.int(statisticsFixed ? 1 : 0), .pointer(address(sums)), .pointer(address(dx))] + dimensions(x))
        launch("batch_norm_parameter_gradients", .normalization, count: s.c,
               [.pointer(address(sums)), .pointer(address(dgamma)), .pointer(address(dbeta)), .int(Int32(s.c))])
        return (dx, dgamma, dbeta)
    }

    public func foldBatchNorm(weight: Tensor, bias: Tensor?, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor,
                              epsilon: Float) -> (weight: Tensor, bias: Tensor) {
        let cout = weight.shape[0], per = weight.count / cout
        let w = tensor(weight.shape), b = tensor(Shape(cout))
        launch("fold_batch_norm", .normalization, count: weight.count,
               [.pointer(address(plain(weight))), .pointer(address(bias)), .pointer(address(gamma)), .pointer(address(beta)),
                .pointer(address(mean)), .pointer(address(variance)), .float(epsilon), .pointer(address(w)), .pointer(address(b)),
                .int(Int32(cout)), .long(Int64(per))])
        return (w, b)
    }
}

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
