import Tensors
import CDNNL
import CDNNLShim
#if canImport(Glibc)
import Glibc
#endif

/// Which layout the CPU backend keeps activations in, asked of oneDNN rather than fixed.
///
/// oneDNN's JIT convolutions, batch norm and pooling work on channel blocks of one vector register:
/// 16 floats on AVX-512 (`nChw16c`), 8 on AVX2 and SSE4.1 (`nChw8c`). Given a layout of the other
/// width, the convolutions still find a JIT kernel by converting, but batch norm, pooling and
/// convolutions with fused post-ops fall back to reference loops 10–100× slower (measured on an
/// AVX2 EPYC with `nChw16c`: a training step of config B 7× slower than PyTorch, inference 200×).
/// So the backend creates one typical 3×3 convolution with `format_tag_any` activations and keeps
/// whatever blocked layout oneDNN chose for it (see docs/ARCHITECTURE.md, "Layouts on the CPU").
enum ActivationLayoutChoice {
    /// `UNET_CPU_LAYOUT` (`nChw16c`, `nChw8c` or `plain`), else what oneDNN chooses on this CPU.
    static func decide(_ engine: dnnl_engine_t) -> Layout {
        if let raw = getenv("UNET_CPU_LAYOUT"), let forced = parse(String(cString: raw)) { return forced }
        return askOneDNN(engine)
    }

    static func parse(_ name: String) -> Layout? {
        switch name.lowercased() {
        case "nchw16c", "blocked16": return .blocked16
        case "nchw8c", "blocked8": return .blocked8
        case "plain", "nchw": return .plain
        default: return nil
        }
    }

    /// The destination layout oneDNN picks for a 64→64 3×3 forward convolution when free to choose.
    static func askOneDNN(_ engine: dnnl_engine_t) -> Layout {
        var src = memoryDesc([1, 64, 30, 30], dnnl_format_tag_any)
        var wei = memoryDesc([64, 64, 3, 3], dnnl_format_tag_any)
        var dst = memoryDesc([1, 64, 28, 28], dnnl_format_tag_any)
        let strides: [Int64] = [1, 1], pads: [Int64] = [0, 0]
        var pd: dnnl_primitive_desc_t?
        guard unet_conv_pd(&pd, engine, UNET_FORWARD_TRAINING, 0, 0, &src, &wei, nil, &dst, strides, pads, pads, nil, nil) == dnnl_success,
              let pd else { return .plain }
        defer { dnnl_primitive_desc_destroy(pd) }
        var chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0)!.pointee
        for layout in [Layout.blocked16, .blocked8] {
            var candidate = memoryDesc([1, 64, 28, 28], formatTag(4, layout))
            if unet_md_equal(&chosen, &candidate) != 0 { return layout }
        }
        return .plain
    }
}
