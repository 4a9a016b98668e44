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
        let y = tensor(x.shape, dtype: x.dtype)
        let bytes = x.count * x.dtype.byteSize
        if bytes > 0 {
            context.makeCurrent()
            context.must(context.driver.api.cuMemcpyDtoDAsync_v2!(address(y), address(x), bytes, context.stream), "cuMemcpyDtoDAsync")
        }
        return y
    }

    public func convert(_ x: Tensor, to dtype: DType) -> Tensor {
        if x.dtype == dtype { return copy(x) }
        let y = tensor(x.shape, dtype: dtype)
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

    /// y = kernel(a, b) for two float tensors of one shape.
    func binary(_ kernel: String, _ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "[\(kernel)] \(a.shape) vs \(b.shape)")
        let y = tensor(a.shape)
        launch(kernel, .elementwise, count: a.count,
               [.pointer(address(plain(a))), .pointer(address(plain(b))), .pointer(address(y)), .long(Int64(a.count))])
        return y
    }

    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { binary("add_f32", a, b) }
    public func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor { binary("add_relu_f32", a, b) }
    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { binary("multiply_f32", a, b) }

    public func accumulate(into a: Tensor, _ b: Tensor) {
        precondition(a.shape == b.shape, "[accumulate] \(a.shape) vs \(b.shape)")
        launch("accumulate_f32", .elementwise, count: a.count, [.pointer(address(plain(a))), .pointer(address(plain(b))), .long(Int64(a.count))])
        a.markModified()
    }

    public func axpy(_ alpha: Float, _ b: Tensor, into a: Tensor) {
        precondition(a.shape == b.shape, "[axpy] \(a.shape) vs \(b.shape)")
        launch("axpy_f32", .elementwise, count: a.count, [.float(alpha), .pointer(address(plain(b))), .pointer(address(plain(a))), .long(Int64(a.count))])
        a.markModified()
    }

    public func scaled(_ x: Tensor, by factor: Float) -> Tensor {
        let y = tensor(x.shape)
        launch("scale_f32", .elementwise, count: x.count, [.pointer(address(plain(x))), .float(factor), .pointer(address(y)), .long(Int64(x.count))])
        return y
    }

    public func scale(_ x: Tensor, by factor: Float) {
        launch("scale_f32", .elementwise, count: x.count, [.pointer(address(plain(x))), .float(factor), .pointer(address(x)), .long(Int64(x.count))])
        x.markModified()
    }

    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        let y = tensor(x.shape)
        switch kind {
        case .relu:
            launch("relu_f32", .elementwise, count: x.count, [.pointer(address(plain(x))), .pointer(address(y)), .long(Int64(x.count))])
        case .leakyRelu(let slope):
            launch("leaky_relu_f32", .elementwise, count: x.count,
                   [.pointer(address(plain(x))), .float(slope), .pointer(address(y)), .long(Int64(x.count))])
        }
        return y
    }

    public func activationBackward(_ dy: Tensor, y: Tensor, _ kind: Activation) -> Tensor {
        precondition(dy.shape == y.shape, "[activation backward] dy \(dy.shape) vs y \(y.shape)")
        let dx = tensor(y.shape)
        switch kind {
        case .relu:
            launch("relu_backward_f32", .elementwise, count: y.count,
                   [.pointer(address(plain(dy))), .pointer(address(plain(y))), .pointer(address(dx)), .long(Int64(y.count))])
        case .leakyRelu(let slope):
            launch("leaky_relu_backward_f32", .elementwise, count: y.count,
                   [.pointer(address(plain(dy))), .pointer(address(plain(y))), .float(slope), .pointer(address(dx)), .long(Int64(y.count))])
        }
        return dx
    }

    public func dropoutMask(shape: Shape, layout: Layout, probability: Float, seed: UInt64) -> Tensor {
        precondition(layout == .plain, "[\(device)] dropout mask in \(layout)")
        let mask = tensor(shape)
        launch("dropout_mask", .elementwise, count: mask.count,
               [.pointer(address(mask)), .u64(seed), .float(probability), .long(Int64(mask.count))])
        return mask
    }

    public func globalAveragePool(_ x: Tensor) -> Tensor {
        let s = plain(x).shape
        let y = tensor(Shape(s.n, s.c, 1, 1))
        context.makeCurrent()
        context.launch("global_average_pool", in: .reduction, grid: s.n * s.c,
                       [.pointer(address(x)), .pointer(address(y)), .int(Int32(s.c)), .long(Int64(s.h * s.w)), .int(0)])
        return y
    }

    public func globalAveragePoolBackward(_ dy: Tensor, inputShape s: Shape) -> Tensor {
        let dx = tensor(s)
        launch("global_average_pool_backward", .reduction, count: s.count,
               [.pointer(address(plain(dy))), .pointer(address(dx)), .int(Int32(s.n)), .int(Int32(s.c)), .long(Int64(s.h * s.w)), .int(0)])
        return dx
    }
}
