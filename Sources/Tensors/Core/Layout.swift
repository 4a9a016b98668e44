/// How a tensor's elements are laid out in memory.
///
/// `plain` is row-major over the logical dimensions (NCHW for activations). `blocked16` is
/// oneDNN's `nChw16c`: `[N][C/16][H][W][16]`, the layout its AVX-512 convolutions run fastest in.
/// It is used only for 4-D tensors whose channel count is a multiple of 16, so physical and logical
/// element counts agree and each sample stays one contiguous chunk (concat and crop stay simple).
public enum Layout: Hashable, Sendable, CustomStringConvertible {
    case plain
    case blocked16

    public var description: String { self == .plain ? "plain" : "nChw16c" }
}
