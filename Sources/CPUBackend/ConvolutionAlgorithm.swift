import Tensors
import CDNNL
import CDNNLShim
#if canImport(Glibc)
import Glibc
#endif

/// How the CPU backend computes 3×3 convolutions.
///
/// Winograd's F(4×4, 3×3) does the arithmetic of a 3×3 stride-1 convolution with 2.25× fewer
/// multiplications, at the cost of slightly larger rounding error (relative differences to the
/// direct method of about 1e-6 to 1e-5 in float32). Measured on this project's 2-core AVX-512
/// machine with oneDNN 2.6 (`jit_wino_4x3`), it was 1.5–3× faster than the direct kernels for
/// every 3×3 layer of both benchmark U-Nets with at least 16 input and output channels, forward,
/// backward-data and backward-weights alike; for 1-channel inputs it was 10× slower. oneDNN 2.6
/// implements it for AVX-512 only: on an AVX2 CPU every request falls back to the direct method
/// (`oneDNNHasWinograd`).
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// Winograd for 3×3 stride-1 convolutions whose channel counts are multiples of 16 (the blocked
    /// layout); direct otherwise, and wherever oneDNN has no Winograd implementation.
    case auto
    /// Always the direct method (the reference for accuracy).
    case direct
    /// Winograd wherever oneDNN implements it, whatever the channel counts.
    case winograd

    /// `UNET_CONV_ALGORITHM` (auto, direct or winograd), else `.auto`.
    public static var fromEnvironment: ConvolutionAlgorithm {
        guard let raw = getenv("UNET_CONV_ALGORITHM") else { return .auto }
        return ConvolutionAlgorithm(rawValue: String(cString: raw).lowercased()) ?? .auto
    }

    /// Whether to ask oneDNN for Winograd for this convolution (it may still decline).
    public func triesWinograd(weight w: Shape, geometry g: ConvGeometry, transposed: Bool) -> Bool {
        guard !transposed, w[2] == 3, w[3] == 3, g.strideH == 1, g.strideW == 1 else { return false }
        switch self {
        case .direct: return false
        case .winograd: return true
        case .auto: return w[0] % 16 == 0 && w[1] % 16 == 0
        }
    }
}

extension ConvolutionAlgorithm {
    /// Whether oneDNN implements Winograd convolutions on this CPU (asked with a 16→16 3×3
    /// forward convolution in the blocked layout the backend uses).
    static func oneDNNHasWinograd(_ engine: dnnl_engine_t, layout: Layout) -> Bool {
        guard layout.channelBlock != nil else { return false }
        var src = memoryDesc([1, 16, 18, 18], formatTag(4, layout))
        var wei = memoryDesc([16, 16, 3, 3], dnnl_format_tag_any)
        var dst = memoryDesc([1, 16, 16, 16], formatTag(4, layout))
        let strides: [Int64] = [1, 1], pads: [Int64] = [0, 0]
        var pd: dnnl_primitive_desc_t?
        guard unet_conv_pd(&pd, engine, UNET_FORWARD_TRAINING, 0, 1, &src, &wei, nil, &dst, strides, pads, pads, nil, nil) == dnnl_success,
              let pd else { return false }
        dnnl_primitive_desc_destroy(pd)
        return true
    }
}
