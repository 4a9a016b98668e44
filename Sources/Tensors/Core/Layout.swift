/// How a tensor's elements are laid out in memory.
///
/// `plain` is row-major over the logical dimensions (NCHW for activations). `blocked16` and
/// `blocked8` are oneDNN's `nChw16c` and `nChw8c`: `[N][C/b][H][W][b]` with b channels per block,
/// the layouts its convolutions run fastest in on AVX-512 (16 floats a vector) and on AVX2
/// (8 floats a vector). The CPU backend asks oneDNN which one the CPU at hand wants. A blocked
/// layout is used only for 4-D tensors whose channel count is a multiple of its block, so physical
/// and logical element counts agree and each sample stays one contiguous chunk (concat and crop
/// stay simple).
/// `channelsLast` is NHWC, `[N][H][W][C]`, the layout GPU tensor cores run convolutions in (the
/// CUDA backend's activations under tf32 and bf16); any 4-D tensor may have it.
public enum Layout: Hashable, Sendable, CustomStringConvertible {
    case plain
    case blocked16
    case blocked8
    case channelsLast

    /// The blocked layout with `channels` channels per block (8 or 16).
    public static func blocked(_ channels: Int) -> Layout {
        switch channels {
        case 16: return .blocked16
        case 8: return .blocked8
        default: preconditionFailure("[Layout] no blocked layout with \(channels) channels per block")
        }
    }

    /// Channels per block of a blocked layout; nil for plain and NHWC.
    public var channelBlock: Int? {
        switch self {
        case .blocked16: return 16
        case .blocked8: return 8
        case .plain, .channelsLast: return nil
        }
    }

    /// Whether a tensor of `shape` can be stored in this layout.
    public func fits(_ shape: Shape) -> Bool {
        switch self {
        case .plain: return true
        case .channelsLast: return shape.rank == 4
        case .blocked16, .blocked8: return shape.rank == 4 && shape[1] % channelBlock! == 0
        }
    }

    public var description: String {
        switch self {
        case .plain: return "plain"
        case .blocked16: return "nChw16c"
        case .blocked8: return "nChw8c"
        case .channelsLast: return "NHWC"
        }
    }
}
