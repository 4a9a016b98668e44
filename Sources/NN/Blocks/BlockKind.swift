/// The kind of block each U-Net stage is made of.
public enum BlockKind: String, CaseIterable, Codable, Sendable {
    /// Two 3×3 conv + BN + ReLU, as in the U-Net paper.
    case plain
    /// Post-activation residual block: conv-BN-ReLU-conv-BN, add the skip, then ReLU.
    case residual
    /// Pre-activation residual block: BN-ReLU-conv twice, add the skip, no activation after.
    case preact
    /// 1×1 reduce to a quarter of the width, 3×3, 1×1 expand (each with BN), add the skip, ReLU.
    case bottleneck

    /// Number of 3×3 convolutions on the main path (each loses one pixel per side when valid).
    public var threeByThreeCount: Int { self == .bottleneck ? 1 : 2 }
}
