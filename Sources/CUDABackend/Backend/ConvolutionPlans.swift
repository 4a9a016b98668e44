import CCUDALoader
import Foundation
import Tensors

/// One cuDNN convolution pass for one problem size: its descriptors and the algorithm that
/// measured fastest (cudnnFind*AlgorithmEx, once per shape) with the workspace it needs.
/// Problems are stated in cuDNN's terms: X [N,C,H,W] convolved with the filter W [K,C,kh,kw]
/// gives Y [N,K,H',W']; a transposed convolution is the same problem with X and Y exchanged.
/// The precision is the pass's own: fp32 is strict float32 (FMA math: cuDNN's default math would
/// round float32 to TF32 on tensor cores), tf32 lets cuDNN use TF32 tensor cores, bf16 describes
/// X, W and Y as bfloat16 with float32 accumulation (cuDNN's compute type).
final class ConvolutionPlan {
    enum Pass: Hashable { case forward, backwardData, backwardFilter }

    struct Key: Hashable {
        let pass: Pass
        let x: [Int], w: [Int], y: [Int]
        let geometry: ConvGeometry
        let precision: Precision
        /// X's, Y's and the filter's layout (`plain`: NCHW and KCRS, `channelsLast`: NHWC and KRSC,
        /// as PyTorch's channels-last describes both).
        let layout: Layout
    }

    let x: cudnnTensorDescriptor_t
    let y: cudnnTensorDescriptor_t
    let w: cudnnFilterDescriptor_t
    let convolution: cudnnConvolutionDescriptor_t
    /// [1, K, 1, 1] (Y's channels) and [1, C, 1, 1] (X's): bias descriptors for either direction.
    let biasY: cudnnTensorDescriptor_t
    let biasX: cudnnTensorDescriptor_t
    /// X and Y as float32, for the bias passes on the float32 tensors around a bf16 convolution
    /// (the same descriptors as `x` and `y` otherwise).
    let xFloat: cudnnTensorDescriptor_t
    let yFloat: cudnnTensorDescriptor_t
    var algorithm: Int32 = 0
    var workspaceBytes = 0
    /// The math type of the chosen algorithm as cuDNN reported it (CUDNN_FMA_MATH: no tensor cores).
    var mathType = Int32(UNET_CUDNN_FMA_MATH)

    init(_ key: Key, backend: CUDABackend) {
        let api = backend.cudnn.api
        let data = Int32(key.precision == .bf16 ? UNET_CUDNN_DATA_BFLOAT16 : UNET_CUDNN_DATA_FLOAT)
        let format = Int32(key.layout == .channelsLast ? UNET_CUDNN_TENSOR_NHWC : UNET_CUDNN_TENSOR_NCHW)
        func tensor(_ d: [Int], _ type: Int32) -> cudnnTensorDescriptor_t {
            var t: cudnnTensorDescriptor_t?
            backend.must(api.cudnnCreateTensorDescriptor!(&t), "cudnnCreateTensorDescriptor")
            backend.must(api.cudnnSetTensor4dDescriptor!(t, format, type,
                                                          Int32(d[0]), Int32(d[1]), Int32(d[2]), Int32(d[3])), "cudnnSetTensor4dDescriptor(\(d))")
            return t!
        }
        let float = Int32(UNET_CUDNN_DATA_FLOAT)
        x = tensor(key.x, data)
        y = tensor(key.y, data)
        xFloat = key.precision == .bf16 ? tensor(key.x, float) : x
        yFloat = key.precision == .bf16 ? tensor(key.y, float) : y
        biasY = tensor([1, key.y[1], 1, 1], float)
        biasX = tensor([1, key.x[1], 1, 1], float)
        var f: cudnnFilterDescriptor_t?
        backend.must(api.cudnnCreateFilterDescriptor!(&f), "cudnnCreateFilterDescriptor")
        backend.must(api.cudnnSetFilter4dDescriptor!(f, data, format,
                                                      Int32(key.w[0]), Int32(key.w[1]), Int32(key.w[2]), Int32(key.w[3])), "cudnnSetFilter4dDescriptor(\(key.w))")
        w = f!
        var c: cudnnConvolutionDescriptor_t?
        backend.must(api.cudnnCreateConvolutionDescriptor!(&c), "cudnnCreateConvolutionDescriptor")
        let g = key.geometry
        backend.must(api.cudnnSetConvolution2dDescriptor!(c, Int32(g.padH), Int32(g.padW), Int32(g.strideH), Int32(g.strideW), 1, 1,
                                                           Int32(UNET_CUDNN_CROSS_CORRELATION), Int32(UNET_CUDNN_DATA_FLOAT)),
                     "cudnnSetConvolution2dDescriptor(\(g))")
        // Strict float32 unless TF32 or bf16 is asked for: cuDNN's default math uses TF32 tensor
        // cores for float32 data on Ampere and later. The compute type stays float32 (bf16 sums in float32).
        backend.must(api.cudnnSetConvolutionMathType!(c, Int32(key.precision == .fp32 ? UNET_CUDNN_FMA_MATH : UNET_CUDNN_TENSOR_OP_MATH)),
                     "cudnnSetConvolutionMathType")
        convolution = c!
    }
}

/// The plans of a backend, by problem.
final class ConvolutionPlans: @unchecked Sendable {
    private let lock = NSLock()
    private var plans: [ConvolutionPlan.Key: ConvolutionPlan] = [:]
    private var unfused = Set<ObjectIdentifier>()

    /// Records that `plan`'s fused epilogue was refused; returns whether that was known already.
    func noteUnfused(_ plan: ConvolutionPlan) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return !unfused.insert(ObjectIdentifier(plan)).inserted
    }

    /// Every plan made so far (for tests).
    var all: [ConvolutionPlan.Key: ConvolutionPlan] {
        lock.lock()
        defer { lock.unlock() }
        return plans
    }

    func plan(_ key: ConvolutionPlan.Key, make: () -> ConvolutionPlan) -> ConvolutionPlan {
        lock.lock()
        defer { lock.unlock() }
        if let p = plans[key] { return p }
        let p = make()
        plans[key] = p
        return p
    }
}
