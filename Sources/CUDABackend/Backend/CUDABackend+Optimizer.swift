import CCUDALoader
import Tensors

/// The optimizers' fused updates and the reductions around them (double-precision partial sums,
/// one host read per reduction).
extension CUDABackend {
    public func adamUpdate(parameter p: Tensor, gradient: Tensor, m: Tensor, v: Tensor, _ s: AdamStep) {
        precondition(p.shape == gradient.shape && p.shape == m.shape && p.shape == v.shape, "[adam] \(p.shape) vs \(gradient.shape)")
        launch("adam_update", .optimizer, count: p.count,
               [.pointer(address(p)), .pointer(address(plain(gradient))), .pointer(address(m)), .pointer(address(v)),
                .float(s.learningRate), .float(s.beta1), .float(s.beta2), .float(s.oneMinusBeta1), .float(s.oneMinusBeta2), .float(s.epsilon), .float(s.weightDecay),
                .int(s.decoupled ? 1 : 0), .float(s.stepSize), .float(s.c2Root), .long(Int64(p.count))])
        p.markModified(); m.markModified(); v.markModified()
    }

    public func sgdUpdate(parameter p: Tensor, gradient: Tensor, buffer: Tensor, _ s: SGDStep) {
        precondition(p.shape == gradient.shape && p.shape == buffer.shape, "[sgd] \(p.shape) vs \(gradient.shape)")
        launch("sgd_update", .optimizer, count: p.count,
               [.pointer(address(p)), .pointer(address(plain(gradient))), .pointer(address(buffer)), .float(s.learningRate),
                .float(s.momentum), .int(s.nesterov ? 1 : 0), .float(s.weightDecay), .int(s.firstStep ? 1 : 0), .long(Int64(p.count))])
        p.markModified(); buffer.markModified()
    }

    /// Σ over one double per element produced by a `*_partial` kernel of the reduction source.
    func reduce(_ kernel: String, _ x: Tensor) -> Double {
        let blocks = context.blocks(for: x.count)
        let partial = scratch(doubles: blocks), total = scratch(doubles: 1)
        context.makeCurrent()
        context.launch(kernel, in: .reduction, grid: blocks, [.pointer(address(x)), .long(Int64(x.count)), .pointer(address(partial))])
        context.launch("sum_partials", in: .reduction, grid: 1, [.pointer(address(partial)), .int(Int32(blocks)), .int(1), .pointer(address(total))])
        return download(total, doubles: 1)[0]
    }

    public func sumOfSquares(_ x: Tensor) -> Double { reduce("sum_squares_partial", x) }

    public func countNonFinite(_ x: Tensor) -> Int { Int(reduce("count_nonfinite_partial", x)) }

    public func updateRunningStatistics(mean: Tensor, variance: Tensor, batchMean: Tensor, batchVariance: Tensor,
                                        momentum: Float, unbias: Float) {
        launch("running_statistics", .elementwise, count: mean.count,
               [.pointer(address(mean)), .pointer(address(variance)), .pointer(address(batchMean)), .pointer(address(batchVariance)),
                .float(momentum), .float(unbias), .long(Int64(mean.count))])
        mean.markModified(); variance.markModified()
    }
}
