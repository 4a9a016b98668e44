import Foundation

/// How the decoder doubles resolution.
public enum Upsampling: String, CaseIterable, Codable, Sendable {
    /// 2×2 stride-2 transposed convolution halving the channels (the paper's up-convolution).
    case transposed
    /// Nearest-neighbour ×2, then a 1×1 convolution halving the channels.
    case nearest
}

/// Everything needed to rebuild a U-Net; stored in checkpoints as JSON.
public struct UNetConfiguration: Codable, Equatable, Sendable {
    public var inputChannels = 1
    public var classes = 2
    /// Number of 2×2 poolings (the paper: 4).
    public var depth = 4
    /// Channels at the first level (the paper: 64).
    public var baseWidth = 64
    /// Factor between the widths of consecutive levels (the paper: 2).
    public var widthMultiplier = 2.0
    public var padding = PaddingMode.valid
    public var block = BlockKind.residual
    public var upsampling = Upsampling.transposed
    public var batchNorm = true
    /// Dropout probability at the bottom of the network (0 disables it).
    public var dropout: Float = 0

    public init() {}

    /// The paper's U-Net shape with the given block kind.
    public static func paper(block: BlockKind = .plain) -> UNetConfiguration {
        var c = UNetConfiguration()
        c.block = block
        return c
    }

    /// Channels at `level` (0 = full resolution, `depth` = bottom).
    public func width(atLevel level: Int) -> Int {
        max(1, Int((Double(baseWidth) * pow(widthMultiplier, Double(level))).rounded()))
    }

    /// Problems with this configuration, in words; empty when it is usable.
    public var problems: [String] {
        var p: [String] = []
        if inputChannels < 1 { p.append("input channels must be at least 1 (got \(inputChannels))") }
        if classes < 2 { p.append("classes must be at least 2 (got \(classes))") }
        if depth < 1 || depth > 8 { p.append("depth must be between 1 and 8 (got \(depth))") }
        if baseWidth < 1 { p.append("base width must be at least 1 (got \(baseWidth))") }
        if widthMultiplier < 1 { p.append("width multiplier must be at least 1 (got \(widthMultiplier))") }
        if dropout < 0 || dropout >= 1 { p.append("dropout must be in [0, 1) (got \(dropout))") }
        return p
    }
}
