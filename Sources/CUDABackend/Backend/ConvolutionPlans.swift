import CCUDALoader
import Foundation
import Tensors

/// One cuDNN convolution pass for one problem size: its descriptors and the algorithm that
/// measured fastest (cudnnFind*AlgorithmEx, once per shape) with the workspace it needs.
/// Problems are stated in cuDNN's terms: X [N,C,H,W] convolved with the filter W [K,C,kh,kw]
/// gives Y [N,K,H',W']; a transposed convolution is the same problem with X and Y exchanged.
final class ConvolutionPlan {
    enum Pass: Hashable { case forward, backwardData, backwardFilter }

    struct Key: Hashable {
        let pass: Pass
        let x: [Int], w: [Int], y: [Int]
        let geometry: ConvGeometry
    }

    let x: cudnnTensorDescriptor_t
    let y: cudnnTensorDescriptor_t
    let w: cudnnFilterDescriptor_t
    let convolution: cudnnConvolutionDescriptor_t
    /// [1, K, 1, 1] (Y's channels) and [1, C, 1, 1] (X's): bias descriptors for either direction.
    let biasY: cudnnTensorDescriptor_t
    let biasX: cudnnTensorDescriptor_t
    var algorithm: Int32 = 0
    var workspaceBytes = 0

    init(_ key: Key, allowTF32: Bool, backend: CUDABackend) {
        let api = backend.cudnn.api
        func tensor(_ d: [Int]) -> cudnnTensorDescriptor_t {
            var t: cudnnTensorDescriptor_t?
            backend.must(api.cudnnCreateTensorDescriptor!(&t), "cudnnCreateTensorDescriptor")
            backend.must(api.cudnnSetTensor4dDescriptor!(t, Int32(UNET_CUDNN_TENSOR_NCHW), Int32(UNET_CUDNN_DATA_FLOAT),
                                                          Int32(d[0]), Int32(d[1]), Int32(d[2]), Int32(d[3])), "cudnnSetTensor4dDescriptor(\(d))")
            return t!
        }
        x = tensor(key.x)
        y = tensor(key.y)
        biasY = tensor([1, key.y[1], 1, 1])
        biasX = tensor([1, key.x[1], 1, 1])
        var f: cudnnFilterDescriptor_t?
        backend.must(api.cudnnCreateFilterDescriptor!(&f), "cudnnCreateFilterDescriptor")
        backend.must(api.cudnnSetFilter4dDescriptor!(f, Int32(UNET_CUDNN_DATA_FLOAT), Int32(UNET_CUDNN_TENSOR_NCHW),
                                                      Int32(key.w[0]), Int32(key.w[1]), Int32(key.w[2]), Int32(key.w[3])), "cudnnSetFilter4dDescriptor(\(key.w))")
        w = f!
        var c: cudnnConvolutionDescriptor_t?
        backend.must(api.cudnnCreateConvolutionDescriptor!(&c), "cudnnCreateConvolutionDescriptor")
        let g = key.geometry
        backend.must(api.cudnnSetConvolution2dDescriptor!(c, Int32(g.padH), Int32(g.padW), Int32(g.strideH), Int32(g.strideW), 1, 1,
                                                           Int32(UNET_CUDNN_CROSS_CORRELATION), Int32(UNET_CUDNN_DATA_FLOAT)),
                     "cudnnSetConvolution2dDescriptor(\(g))")
        // Strict float32 unless TF32 is allowed: cuDNN's default math uses TF32 tensor cores on Ampere and later.
        backend.must(api.cudnnSetConvolutionMathType!(c, Int32(allowTF32 ? UNET_CUDNN_DEFAULT_MATH : UNET_CUDNN_FMA_MATH)),
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

    func plan(_ key: ConvolutionPlan.Key, make: () -> ConvolutionPlan) -> ConvolutionPlan {
        lock.lock()
        defer { lock.unlock() }
        if let p = plans[key] { return p }
        let p = make()
        plans[key] = p
        return p
    }
}
