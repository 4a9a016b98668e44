import Tensors

/// One of the three passes of a convolution: each is a separate oneDNN primitive, and each may
/// be computed by a different kernel.
public enum ConvolutionPass: String, Sendable, CaseIterable {
    case forward
    case backwardData = "backward-data"
    case backwardWeights = "backward-weights"
}

/// The kernel that computes one pass of one convolution on the CPU backend.
public enum ConvolutionKernel: String, Sendable, CaseIterable {
    /// float32, direct.
    case direct
    /// float32, Winograd F(4×4, 3×3) (3×3 stride-1 convolutions only).
    case winograd
    /// bfloat16 direct (oneDNN's `jit_bf16`): inputs and weights converted to bfloat16 inside the
    /// pass, products accumulated in float32, float32 results and weight gradients.
    case bf16
}

extension CPUBackend {
    /// Which kernel computes `pass` of the convolution with weight `w`, from the precision and the
    /// algorithm setting:
    /// - fp32: Winograd where `convolutionAlgorithm` tries it, else direct (every pass alike).
    /// - bf16, `.direct`: bfloat16 direct wherever it applies (`BF16KernelRule.applies`), else
    ///   float32 direct.
    /// - bf16, `.winograd`: Winograd where it is tried, else as `.direct`.
    /// - bf16, `.auto`: the measured per-pass rule (`BF16KernelRule.choice`).
    public func kernel(for pass: ConvolutionPass, weight w: Shape, geometry g: ConvGeometry, transposed t: Bool) -> ConvolutionKernel {
        let winograd = convolutionAlgorithm.triesWinograd(weight: w, geometry: g, transposed: t)
        guard convolutionPrecision == .bf16, BF16KernelRule.applies(weight: w, transposed: t) else {
            return winograd ? .winograd : .direct
        }
        switch convolutionAlgorithm {
        case .direct: return .bf16
        case .winograd: return winograd ? .winograd : .bf16
        case .auto: return BF16KernelRule.choice(pass, weight: w, geometry: g, transposed: t, winogradPossible: winograd)
        }
    }
}
