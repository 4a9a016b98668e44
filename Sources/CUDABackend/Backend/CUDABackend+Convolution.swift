import CCUDALoader
import Foundation
import Tensors

/// Convolutions in cuDNN (legacy API, NCHW). A convolution's forward is cuDNN's forward,
/// its backward-data and backward-filter cuDNN's; a transposed convolution runs the same three
/// with X and Y exchanged (its forward is cuDNN's backward-data). The algorithm of each pass is
/// measured once per shape and precision; workspaces come from the caching allocator.
///
/// Precision (`--precision`): fp32 strict, tf32 on TF32 tensor cores (float32 tensors), bf16 with
/// the pass's operands converted to bfloat16 on the device and its result widened back to
/// float32, as PyTorch's autocast does: cuDNN's bf16 convolutions read and write bfloat16 and sum
/// in float32, so the result (weight gradients included) is rounded to bfloat16 once before it
/// is widened. The tensors between ops, the master weights and the optimizer stay float32.
extension CUDABackend {
    /// The workspace the algorithm search may use: at most 512 MiB, at most a quarter of what is free.
    func searchWorkspaceBytes() -> Int {
        var free = 0, total = 0
        context.makeCurrent()
        context.must(context.driver.api.cuMemGetInfo_v2!(&free, &total), "cuMemGetInfo")
        return min(512 << 20, free / 4)
    }

    /// The plan of `key`, searching its algorithm with the given buffers on first use.
    func plan(_ key: ConvolutionPlan.Key, x: CUdeviceptr, w: CUdeviceptr, y: CUdeviceptr) -> ConvolutionPlan {
        convolutionPlans.plan(key) {
            let plan = ConvolutionPlan(key, backend: self)
            let limit = searchWorkspaceBytes()
            var workspace: CUdeviceptr = 0
            context.must(context.driver.api.cuMemAlloc_v2!(&workspace, max(limit, 256)), "cuMemAlloc(algorithm search workspace, \(limit) bytes)")
            defer { context.synchronize(); _ = context.driver.api.cuMemFree_v2!(workspace) }
            let wsPointer = UnsafeMutableRawPointer(bitPattern: UInt(workspace))
            func p(_ a: CUdeviceptr) -> UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: UInt(a)) }
            var results = [unet_cudnn_algo_perf](repeating: unet_cudnn_algo_perf(), count: 16)
            var returned: Int32 = 0
            let api = cudnn.api
            switch key.pass {
            case .forward:
                must(api.cudnnFindConvolutionForwardAlgorithmEx!(handle, plan.x, p(x), plan.w, p(w), plan.convolution, plan.y, p(y),
                                                                  16, &returned, &results, wsPointer, limit), "cudnnFindConvolutionForwardAlgorithmEx")
            case .backwardData:
                must(api.cudnnFindConvolutionBackwardDataAlgorithmEx!(handle, plan.w, p(w), plan.y, p(y), plan.convolution, plan.x, p(x),
                                                                       16, &returned, &results, wsPointer, limit), "cudnnFindConvolutionBackwardDataAlgorithmEx")
            case .backwardFilter:
                must(api.cudnnFindConvolutionBackwardFilterAlgorithmEx!(handle, plan.x, p(x), plan.y, p(y), plan.convolution, plan.w, p(w),
                                                                         16, &returned, &results, wsPointer, limit), "cudnnFindConvolutionBackwardFilterAlgorithmEx")
            }
            guard let best = results.prefix(Int(returned)).first(where: { $0.status == 0 && $0.memory <= limit }) else {
                fatalError("[\(device)] cuDNN found no algorithm for \(key.pass) of X \(key.x), W \(key.w), Y \(key.y) (\(key.geometry))")
            }
            plan.algorithm = Int32(best.algo)
            plan.workspaceBytes = best.memory
            // The measured algorithm's math; strict float32 stays strict (cuDNN's default math would allow TF32).
            plan.mathType = key.precision == .fp32 ? Int32(UNET_CUDNN_FMA_MATH) : Int32(best.mathType)
            if key.precision != .fp32 { must(api.cudnnSetConvolutionMathType!(plan.convolution, Int32(best.mathType)), "cudnnSetConvolutionMathType") }
            return plan
        }
    }

    /// A workspace of the plan's size from the caching allocator, for one call.
    func withWorkspace<R>(_ plan: ConvolutionPlan, _ body: (UnsafeMutableRawPointer?, Int) -> R) -> R {
        guard plan.workspaceBytes > 0 else { return body(nil, 0) }
        let s = allocate(byteCount: plan.workspaceBytes)
        return withExtendedLifetime(s) { body(s.address, plan.workspaceBytes) }
    }

    func pointer(_ t: Tensor?) -> UnsafeMutableRawPointer? { t.map { UnsafeMutableRawPointer(bitPattern: UInt(address($0))) } ?? nil }

    func key(_ pass: ConvolutionPlan.Pass, x: Shape, w: Shape, y: Shape, _ g: ConvGeometry, _ precision: Precision,
             _ layout: Layout) -> ConvolutionPlan.Key {
        ConvolutionPlan.Key(pass: pass, x: x.dims, w: w.dims, y: y.dims, geometry: g, precision: precision, layout: layout)
    }

    /// The precision of a convolution with filter `w` [K,C,kh,kw]: bf16 only where both channel
    /// counts are multiples of 8 (the tensor cores' granule: the image-facing first convolution
    /// and the class head stay float32, as on the CPU).
    func passPrecision(_ w: Shape) -> Precision {
        convolutionPrecision == .bf16 && !(w[0] % 8 == 0 && w[1] % 8 == 0) ? .fp32 : convolutionPrecision
    }

    /// A pass's operand in its precision (bf16: converted on the device).
    func operand(_ t: Tensor, _ precision: Precision) -> Tensor { precision == .bf16 ? convert(t, to: .bfloat16) : t }
    /// A pass's result as float32.
    func widened(_ t: Tensor) -> Tensor { t.dtype == .bfloat16 ? convert(t, to: .float32) : t }
    func dtype(_ precision: Precision) -> DType { precision == .bf16 ? .bfloat16 : .float32 }

    /// cuDNN forward: Y = conv(X, W), X, Y and W in the activation layout (W transposed to KRSC for NHWC).
    func forward(x: Tensor, w: Tensor, yShape: Shape, _ g: ConvGeometry) -> (Tensor, ConvolutionPlan) {
        let p = passPrecision(w.shape), layout = activationLayout
        let x = operand(relayout(x, to: layout), p), w = operand(relayout(w, to: layout), p)
        let y = tensor(yShape, dtype: dtype(p), layout: layout)
        let plan = plan(key(.forward, x: x.shape, w: w.shape, y: yShape, g, p, layout), x: address(x), w: address(w), y: address(y))
        var one: Float = 1, zero: Float = 0
        context.makeCurrent()
        withWorkspace(plan) { ws, bytes in
            must(cudnn.api.cudnnConvolutionForward!(handle, &one, plan.x, pointer(x), plan.w, pointer(w), plan.convolution, plan.algorithm,
                                                    ws, bytes, &zero, plan.y, pointer(y)), "cudnnConvolutionForward")
        }
        return (widened(y), plan)
    }

    /// cuDNN backward-data: dX from dY and W.
    func backwardData(dy: Tensor, w: Tensor, xShape: Shape, _ g: ConvGeometry) -> (Tensor, ConvolutionPlan) {
        let p = passPrecision(w.shape), layout = activationLayout
        let dy = operand(relayout(dy, to: layout), p), w = operand(relayout(w, to: layout), p)
        let dx = tensor(xShape, dtype: dtype(p), layout: layout)
        let plan = plan(key(.backwardData, x: xShape, w: w.shape, y: dy.shape, g, p, layout), x: address(dx), w: address(w), y: address(dy))
        var one: Float = 1, zero: Float = 0
        context.makeCurrent()
        withWorkspace(plan) { ws, bytes in
            must(cudnn.api.cudnnConvolutionBackwardData!(handle, &one, plan.w, pointer(w), plan.y, pointer(dy), plan.convolution, plan.algorithm,
                                                         ws, bytes, &zero, plan.x, pointer(dx)), "cudnnConvolutionBackwardData")
        }
        return (widened(dx), plan)
    }

    /// cuDNN backward-filter: dW from X and dY.
    func backwardFilter(x: Tensor, dy: Tensor, wShape: Shape, _ g: ConvGeometry) -> Tensor {
        let p = passPrecision(wShape), layout = activationLayout
        let x = operand(relayout(x, to: layout), p), dy = operand(relayout(dy, to: layout), p)
        let dw = tensor(wShape, dtype: dtype(p), layout: layout)
        let plan = plan(key(.backwardFilter, x: x.shape, w: wShape, y: dy.shape, g, p, layout), x: address(x), w: address(dw), y: address(dy))
        var one: Float = 1, zero: Float = 0
        context.makeCurrent()
        withWorkspace(plan) { ws, bytes in
            must(cudnn.api.cudnnConvolutionBackwardFilter!(handle, &one, plan.x, pointer(x), plan.y, pointer(dy), plan.convolution, plan.algorithm,
                                                           ws, bytes, &zero, plan.w, pointer(dw)), "cudnnConvolutionBackwardFilter")
        }
        // Weight gradients are plain (KCRS), as the weights are.
        return relayout(widened(dw), to: .plain)
    }

    /// y += b per channel (`descriptor` is [1, C, 1, 1] of y's channels).
    func addBias(_ b: Tensor, to y: Tensor, yDescriptor: cudnnTensorDescriptor_t, biasDescriptor: cudnnTensorDescriptor_t) {
        var one: Float = 1
        must(cudnn.api.cudnnAddTensor!(handle, &one, biasDescriptor, pointer(b), &one, yDescriptor, pointer(y)), "cudnnAddTensor")
    }

    /// db = Σ dy over N, H, W per channel.
    func biasGradient(_ dy: Tensor, dyDescriptor: cudnnTensorDescriptor_t, biasDescriptor: cudnnTensorDescriptor_t) -> Tensor {
        let db = tensor(Shape(dy.shape.c))
        var one: Float = 1, zero: Float = 0
        must(cudnn.api.cudnnConvolutionBackwardBias!(handle, &one, dyDescriptor, pointer(dy), &zero, biasDescriptor, pointer(db)),
             "cudnnConvolutionBackwardBias")
        return db
    }

    func outputShape(_ x: Shape, _ w: Shape, _ g: ConvGeometry, transposed: Bool) -> Shape {
        if transposed {
            return Shape(x.n, w[1], g.deconvOutput(x.h, kernel: w[2], vertical: true), g.deconvOutput(x.w, kernel: w[3], vertical: false))
        }
        return Shape(x.n, w[0], g.convOutput(x.h, kernel: w[2], vertical: true), g.convOutput(x.w, kernel: w[3], vertical: false))
    }

    public func convolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry g: ConvGeometry, transposed: Bool) -> Tensor {
        precondition(x.shape[1] == (transposed ? w.shape[0] : w.shape[1]), "[conv2d] input \(x.shape) vs weight \(w.shape): channel mismatch")
        let yShape = outputShape(x.shape, w.shape, g, transposed: transposed)
        if transposed {
            let (y, plan) = backwardData(dy: x, w: w, xShape: yShape, g)
            if let b { addBias(b, to: y, yDescriptor: plan.xFloat, biasDescriptor: plan.biasX) }
            return y
        }
        let (y, plan) = forward(x: x, w: w, yShape: yShape, g)
        if let b { addBias(b, to: y, yDescriptor: plan.yFloat, biasDescriptor: plan.biasY) }
        return y
    }

    public func convolutionBackwardData(_ dy: Tensor, weight w: Tensor, inputShape: Shape, inputLayout: Layout,
                                        geometry g: ConvGeometry, transposed: Bool) -> Tensor {
        if transposed { return forward(x: dy, w: w, yShape: inputShape, g).0 }
        return backwardData(dy: dy, w: w, xShape: inputShape, g).0
    }

    public func convolutionBackwardWeights(_ x: Tensor, _ dy: Tensor, weightShape: Shape, withBias: Bool,
                                           geometry g: ConvGeometry, transposed: Bool) -> (Tensor, Tensor?) {
        let layout = activationLayout
        let x = relayout(x, to: layout), dy = relayout(dy, to: layout)
        // Transposed: cuDNN's X is the gradient's tensor (the transposed output), its dY our input.
        let dw = transposed ? backwardFilter(x: dy, dy: x, wShape: weightShape, g) : backwardFilter(x: x, dy: dy, wShape: weightShape, g)
        guard withBias else { return (dw, nil) }
        // The plan backwardFilter made just before (its buffers are not used again): its float32 descriptors.
        let p = passPrecision(weightShape)
        let plan = transposed ? plan(key(.backwardFilter, x: dy.shape, w: weightShape, y: x.shape, g, p, layout), x: address(dy), w: address(dw), y: address(x))
            : plan(key(.backwardFilter, x: x.shape, w: weightShape, y: dy.shape, g, p, layout), x: address(x), w: address(dw), y: address(dy))
        let db = transposed ? biasGradient(dy, dyDescriptor: plan.xFloat, biasDescriptor: plan.biasX)
            : biasGradient(dy, dyDescriptor: plan.yFloat, biasDescriptor: plan.biasY)
        return (dw, db)
    }

    /// The GPU plans tiles by its free memory, not per pixel: no extra workspace is reported.
    public func convolutionWorkspaceBytesPerPixel(weight w: Shape, geometry: ConvGeometry, transposed: Bool) -> Int { 0 }

    /// relu?(conv(x, w) + b + residual?): with ReLU one cudnnConvolutionBiasActivationForward
    /// (bias, residual and ReLU fused into the convolution's epilogue); without, or in bf16 (whose
    /// epilogue would round the float32 residual and output to bfloat16), the forward, then the
    /// bias, the residual and the ReLU as separate passes.
    public func fusedConvolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry g: ConvGeometry, residual: Tensor?, relu: Bool) -> Tensor {
        let layout = activationLayout
        let x = relayout(x, to: layout), residual = residual.map { relayout($0, to: layout) }
        let yShape = outputShape(x.shape, w.shape, g, transposed: false)
        let p = passPrecision(w.shape)
        if !relu || p == .bf16 {
            let (y, plan) = forward(x: x, w: w, yShape: yShape, g)
            if let b { addBias(b, to: y, yDescriptor: plan.yFloat, biasDescriptor: plan.biasY) }
            if let residual { accumulate(into: y, residual) }
            if relu { launch("relu_f32", .elementwise, count: y.count, [.pointer(address(y)), .pointer(address(y)), .long(Int64(y.count))]) }
            return y
        }
        let y = tensor(yShape, layout: layout)
        let laidW = relayout(w, to: layout)
        let plan = plan(key(.forward, x: x.shape, w: w.shape, y: yShape, g, p, layout), x: address(x), w: address(laidW), y: address(y))
        let bias = b ?? Tensor.filledOnDevice(0, count: yShape.c, backend: self)
        var activation: cudnnActivationDescriptor_t?
        must(cudnn.api.cudnnCreateActivationDescriptor!(&activation), "cudnnCreateActivationDescriptor")
        defer { _ = cudnn.api.cudnnDestroyActivationDescriptor!(activation) }
        must(cudnn.api.cudnnSetActivationDescriptor!(activation, Int32(UNET_CUDNN_ACTIVATION_RELU), Int32(UNET_CUDNN_NOT_PROPAGATE_NAN), 0),
             "cudnnSetActivationDescriptor")
        var one: Float = 1, alpha2: Float = residual == nil ? 0 : 1
        // Without a residual z is y itself, scaled by 0: zeroed first so that no stale NaN can leak in.
        if residual == nil { zero(y.storage, bytes: y.count * 4) }
        context.makeCurrent()
        let status = withWorkspace(plan) { ws, bytes in
            cudnn.api.cudnnConvolutionBiasActivationForward!(handle, &one, plan.x, pointer(x), plan.w, pointer(laidW), plan.convolution,
                                                             plan.algorithm, ws, bytes, &alpha2, plan.y, pointer(residual ?? y),
                                                             plan.biasY, pointer(bias), activation, plan.y, pointer(y))
        }
        if status == 0 { return y }
        // Not every algorithm takes the fused epilogue (CUDNN_STATUS_NOT_SUPPORTED): the same
        // result in separate passes, and a note once so that the lost fusion is visible.
        if !convolutionPlans.noteUnfused(plan) {
            FileHandle.standardError.write(Data("[\(device)] cudnnConvolutionBiasActivationForward: \(cudnn.api.cudnnGetErrorString!(status).map { String(cString: $0) } ?? "status \(status)") for X \(x.shape), W \(w.shape); bias, residual and ReLU run unfused\n".utf8))
        }
        let (unfused, forwardPlan) = forward(x: x, w: w, yShape: yShape, g)
        addBias(bias, to: unfused, yDescriptor: forwardPlan.yFloat, biasDescriptor: forwardPlan.biasY)
        if let residual { accumulate(into: unfused, residual) }
        launch("relu_f32", .elementwise, count: unfused.count, [.pointer(address(unfused)), .pointer(address(unfused)), .long(Int64(unfused.count))])
        return unfused
    }
}

extension Tensor {
    /// A float32 [count] tensor of `value` in the backend's memory.
    static func filledOnDevice(_ value: Float, count: Int, backend: CUDABackend) -> Tensor {
        let t = backend.tensor(Shape(count))
        backend.fill(t, with: value)
        return t
    }
}
