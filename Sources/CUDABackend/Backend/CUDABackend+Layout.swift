import CCUDALoader
import Tensors

/// The activations' memory layout. Under tf32 and bf16 the convolutions run on tensor cores,
/// whose kernels read and write NHWC: cuDNN given NCHW transposes around them, so the backend keeps
/// 4-D activations NHWC (`Layout.channelsLast`; the logical shape stays NCHW) and every kernel
/// that knows channels takes an `nhwc` flag. Under strict fp32 cuDNN's FMA kernels are NCHW's
/// own, so activations stay NCHW. Weights and their gradients stay plain (KCRS) between ops; an
/// NHWC convolution transposes its filter to KRSC for the call.
/// `UNET_CUDA_LAYOUT=nchw|nhwc` (or `layoutChoice`) fixes the layout, for comparisons on a GPU.
extension CUDABackend {
    /// The layout this backend gives the 4-D activations it produces.
    public var activationLayout: Layout { layoutChoice ?? (convolutionPrecision == .fp32 ? .plain : .channelsLast) }

    public func preferredLayout(channels: Int) -> Layout { activationLayout }

    /// NCHW ↔ NHWC with the `copy` kernels (float32 4-D tensors).
    public func relayout(_ x: Tensor, to layout: Layout) -> Tensor {
        if x.layout == layout { return x }
        precondition(layout.channelBlock == nil && x.layout.channelBlock == nil, "[\(device)] relayout \(x.layout) → \(layout): the CUDA backend has no blocked layout")
        precondition(x.shape.rank == 4 && x.dtype == .float32, "[\(device)] relayout of \(x.shape) \(x.dtype): 4-D float32 only")
        let s = x.shape
        let y = tensor(s, layout: layout)
        launch(layout == .channelsLast ? "nchw_to_nhwc" : "nhwc_to_nchw", .copy, count: x.count,
               [.pointer(address(x)), .pointer(address(y)), .int(Int32(s.n)), .int(Int32(s.c)), .long(Int64(s.h * s.w))])
        return y
    }

    /// `x` as a plain (NCHW) tensor: itself, or an NCHW copy of an NHWC one.
    func plain(_ x: Tensor) -> Tensor { x.layout == .plain ? x : relayout(x, to: .plain) }

    /// `x` in `layout` (4-D activations only; anything else stays as it is).
    func laidOut(_ x: Tensor, _ layout: Layout) -> Tensor { x.shape.rank == 4 ? relayout(x, to: layout) : x }

    /// The kernels' `nhwc` argument for `x`.
    func nhwc(_ x: Tensor) -> CUDAContext.Argument { .int(x.layout == .channelsLast ? 1 : 0) }
}
