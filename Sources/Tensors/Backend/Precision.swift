/// The arithmetic a backend's convolutions compute in.
///
/// Mixed precision: with `bf16`, convolution inputs and weights are rounded to bfloat16 (8 bits
/// of mantissa) and the products accumulated in float32; everything else stays float32 — the
/// tensors between ops, the master weights and the optimizer state, the losses, batch
/// normalisation and its statistics, the weight gradients. `tf32` is the same with NVIDIA's
/// TensorFloat-32 (11 bits of mantissa, float32's range): a tensor-core format of GPUs, which a
/// CPU does not have.
public enum Precision: String, Sendable, CaseIterable, CustomStringConvertible {
    /// float32 everywhere (the default); on a GPU strictly so (no TF32 tensor cores).
    case fp32
    /// float32 tensors; convolutions may round their inputs and weights to TF32 (GPU tensor cores).
    case tf32
    /// bfloat16 convolution inputs and weights, float32 accumulation and results.
    case bf16

    public var description: String { rawValue }
}

/// A precision this backend or this machine cannot compute in (the message says why).
public struct PrecisionUnavailable: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
