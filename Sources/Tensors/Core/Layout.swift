/// How a tensor's elements are laid out in memory.
///
/// `plain` is row-major over the logical dimensions (NCHW for activations). `blocked16` is
/// oneDNN's `nChw16c`: `[N][C/16][H][W][16]`, the layout its AVX-512 convolutions run fastest in.
/// It is used only for 4-D tensors whose channel count is a multiple of 16, so physical and logical
/// element counts agree and each sample stays one contiguous chunk (concat and crop stay simple).
/// `channelsLast` is NHWC, `[N][H][W][C]`, the layout GPU tensor cores run convolutions in (the
/// CUDA backend's activations under tf32 and bf16); any 4-D tensor may have it.
public enum Layout: Hashable, Sendable, CustomStringConvertible {
    case plain
    case blocked16
    case channelsLast

    public var description: String {
        switch self {
        case .plain: return "plain"
        case .blocked16: return "nChw16c"
        case .channelsLast: return "NHWC"
        }
    }
}
