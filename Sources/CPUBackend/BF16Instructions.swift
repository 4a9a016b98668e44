import CDNNLShim

/// The native bfloat16 instructions oneDNN uses on this CPU. Without them oneDNN still runs
/// bfloat16 convolutions, but emulated, slower than float32; so the backend refuses bf16 then.
public enum BF16Instructions: String, Sendable {
    case none
    /// AVX512_BF16 (`jit_bf16:avx512_core_bf16` kernels: Cooper Lake, Zen 4 and later).
    case avx512 = "AVX512_BF16"
    /// AMX tiles (Sapphire Rapids and later), which also have AVX512_BF16.
    case amx = "AMX"

    /// What oneDNN's effective ISA offers: the CPU's, capped by `ONEDNN_MAX_CPU_ISA` when set
    /// (`ONEDNN_MAX_CPU_ISA=AVX512_CORE` makes a bf16 machine behave like one without).
    public static var detected: BF16Instructions {
        switch unet_bf16_isa() {
        case UNET_BF16_AMX: return .amx
        case UNET_BF16_AVX512: return .avx512
        default: return .none
        }
    }

    /// Why bfloat16 convolutions cannot run with these instructions, or nil.
    public var problem: String? {
        guard self == .none else { return nil }
        return "this CPU has neither AVX512_BF16 nor AMX instructions (as oneDNN sees it; ONEDNN_MAX_CPU_ISA can hide them), "
            + "and emulated bf16 convolutions would be slower than fp32"
    }
}
