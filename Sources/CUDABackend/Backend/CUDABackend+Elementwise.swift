import CCUDALoader
import Tensors

/// Fills, copies, conversions and the elementwise ops: one `elementwise` kernel each, queued.
extension CUDABackend {
    public func fill(_ x: Tensor, with value: Float) {
        precondition(x.dtype == .float32, "[\(device)] fill of a \(x.dtype) tensor")
        launch("fill_f32", .elementwise, count: x.count, [.pointer(address(x)), .float(value), .long(Int64(x.count))])
        x.markModified()
    }

    public func copy(_ x: Tensor) -> Tensor {
        let y = tensor(x.shape, dtype: x.dtype, layout: x.layout)
        let bytes = x.count * x.dtype.byteSize
        if bytes > 0 {
            context.makeCurrent()
            context.must(context.driver.api.cuMemcpyDtoDAsync_v2!(address(y), address(x), bytes, context.stream), "cuMemcpyDtoDAsync")
        }
        return y
    }

    public func convert(_ x: Tensor, to dtype: DType) -> Tensor {
        if x.dtype == dtype { return copy(x) }
        let y = tensor(x.shape, dtype: dtype, layout: x.layout)
        let kernel: String
        switch (x.dtype, dtype) {
        case (.float32, .bfloat16): kernel = "f32_to_bf16"
        case (.bfloat16, .float32): kernel = "bf16_to_f32"
        case (.int32, .float32): kernel = "i32_to_f32"
        default: preconditionFailure("[\(device)] no conversion from \(x.dtype) to \(dtype)")
        }
        launch(kernel, .elementwise, count: x.count, [.pointer(address(x)), .pointer(address(y)), .long(Int64(x.count))])
        return y
    }

    /// y = kernel(a, b) for two float tensors of one shape, in a's layout (b is brought there:
    /// elementwise kernels do not care which layout, only that both share it).
    func binary(_ kernel: String, _ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "[\(kernel)] \(a.shape) vs \(b.shape)")
        let b = relayout(b, to: a.layout)
        let y = tensor(a.shape, layout: a.layout)
        launch(kernel, .elementwise, count: a.count,
               [.pointer(address(a)), .pointer(address(b)), .pointer(address(y)), .long(Int64(a.count))])
        return y
    }

    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { binary("add_f32", a, b) }
    public func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor { binary("add_relu_f32", a, b) }
    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { binary("multiply_f32", a, b) }

    public func accumulate(into a: Tensor, _ b: Tensor) {
        precondition(a.shape == b.shape, "[accumulate] \(a.shape) vs \(b.shape)")
        let b = relayout(b, to: a.layout)
        launch("accumulate_f32", .elementwise, count: a.count, [.pointer(address(a)), .pointer(address(b)), .long(Int64(a.count))])
        a.markModified()
    }

    public func axpy(_ alpha: Float, _ b: Tensor, into a: Tensor) {
        precondition(a.shape == b.shape, "[axpy] \(a.shape) vs \(b.shape)")
        let b = relayout(b, to: a.layout)
        launch("axpy_f32", .elementwise, count: a.count, [.float(alpha), .pointer(address(b)), .pointer(address(a)), .long(Int64(a.count))])
        a.markModified()
    }

    public func scaled(_ x: Tensor, by factor: Float) -> Tensor {
        let y = tensor(x.shape, layout: x.layout)
        launch("scale_f32", .elementwise, count: x.count, [.pointer(address(x)), .float(factor), .pointer(address(y)), .long(Int64(x.count))])
        return y
    }

    public func scale(_ x: Tensor, by factor: Float) {
        launch("scale_f32", .elementwise, count: x.count, [.pointer(address(x)), .float(factor), .pointer(address(x)), .long(Int64(x.count))])
        x.markModified()
    }

    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        let y = tensor(x.shape, layout: x.layout)
        switch kind {
        case .relu:
            launch("relu_f32", .elementwise, count: x.count, [.pointer(address(x)), .pointer(address(y)), .long(Int64(x.count))])
        case .leakyRelu(let slope):
            launch("leaky_relu_f32", .elementwise, count: x.count,
                   [.pointer(address(x)), .float(slope), .pointer(address(y)), .long(Int64(x.count))])
        }
        return y
    }

    public func activationBackward(_ dy: Tensor, y: Tensor, _ kind: Activation) -> Tensor {
        precondition(dy.shape == y.shape, "[activation backward] dy \(dy.shape) vs y \(y.shape)")
        let dy = relayout(dy, to: y.layout)
        let dx = tensor(y.shape, layout: y.layout)
        switch kind {
        case .relu:
            launch("relu_backward_f32", .elementwise, count: y.count,
                   [.pointer(address(dy)), .pointer(address(y)), .pointer(address(dx)), .long(Int64(y.count))])
        case .leakyRelu(let slope):
            launch("leaky_relu_backward_f32", .elementwise, count: y.count,
                   [.pointer(address(dy)), .pointer(address(y)), .float(slope), .pointer(address(dx)), .long(Int64(y.count))])
        }
        return dx
    }

    /// The mask is a function of the plain element index (every backend draws the same one):
    /// drawn plain, then laid out as asked.
    public func dropoutMask(shape: Shape, layout: Layout, probability: Float, seed: UInt64) -> Tensor {
        let mask = tensor(shape)
        launch("dropout_mask", .elementwise, count: mask.count,
               [.pointer(address(mask)), .u64(seed), .float(probability), .long(Int64(mask.count))])
        return layout == .plain ? mask : relayout(mask, to: layout)
    }

    public func globalAveragePool(_ x: Tensor) -> Tensor {
        let s = x.shape
        let y = tensor(Shape(s.n, s.c, 1, 1))
        context.makeCurrent()
        context.launch("global_average_pool", in: .reduction, grid: s.n * s.c,
                       [.pointer(address(x)), .pointer(address(y)), .int(Int32(s.c)), .long(Int64(s.h * s.w)), nhwc(x)])
        return y
    }

    public func globalAveragePoolBackward(_ dy: Tensor, inputShape s: Shape) -> Tensor {
        let dx = tensor(s)
        launch("global_average_pool_backward", .reduction, count: s.count,
               [.pointer(address(plain(dy))), .pointer(address(dx)), .int(Int32(s.n)), .int(Int32(s.c)), .long(Int64(s.h * s.w)), .int(0)])
        return dx
    }
}
