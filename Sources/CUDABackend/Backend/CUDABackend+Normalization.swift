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
