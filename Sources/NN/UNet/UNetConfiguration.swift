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

    /// Bounds that keep a model's memory finite whatever a checkpoint or the command line asks for.
    /// Input images have 1–4 channels; 64 leaves room for multi-spectral stacks.
    public static let maxInputChannels = 64
    /// Masks hold one byte per pixel, so class indices are 0...255.
    public static let maxClasses = 256
    /// The paper's widest level has 1024 channels; 8192 is 8× that, whose 3×3 convolution alone
    /// holds 8192² × 9 weights (2.4 GB): a wider network cannot be trained or run on one machine.
    public static let maxWidth = 8192
    public static let maxDepth = 8

    /// Problems with this configuration as (JSON field, problem in words); empty when usable.
    public var fieldProblems: [(field: String, problem: String)] {
        var p: [(String, String)] = []
        if !(1...Self.maxInputChannels).contains(inputChannels) {
            p.append(("inputChannels", "input channels must be between 1 and \(Self.maxInputChannels) (got \(inputChannels))"))
        }
        if !(2...Self.maxClasses).contains(classes) {
            p.append(("classes", "classes must be between 2 and \(Self.maxClasses) (got \(classes))"))
        }
        let depthValid = (1...Self.maxDepth).contains(depth)
        if !depthValid { p.append(("depth", "depth must be between 1 and \(Self.maxDepth) (got \(depth))")) }
        let baseValid = (1...Self.maxWidth).contains(baseWidth)
        if !baseValid { p.append(("baseWidth", "base width must be between 1 and \(Self.maxWidth) (got \(baseWidth))")) }
        let multiplierValid = widthMultiplier >= 1 && widthMultiplier.isFinite
        if !multiplierValid { p.append(("widthMultiplier", "width multiplier must be a number of at least 1 (got \(widthMultiplier))")) }
        // In floating point, so that an absurd multiplier cannot overflow `width(atLevel:)`.
        if depthValid && baseValid && multiplierValid {
            let widest = (Double(baseWidth) * pow(widthMultiplier, Double(depth))).rounded()
            if widest > Double(Self.maxWidth) {
                p.append(("widthMultiplier", "the widest level would have \(widest > 1e15 ? "\(widest)" : "\(Int(widest))") channels "
                          + "(base width \(baseWidth) × width multiplier \(widthMultiplier) ^ depth \(depth)); at most \(Self.maxWidth) are allowed"))
            }
        }
        if !(dropout >= 0 && dropout < 1) { p.append(("dropout", "dropout must be in [0, 1) (got \(dropout))")) }
        return p
    }

    /// Problems with this configuration, in words; empty when it is usable.
    public var problems: [String] { fieldProblems.map(\.problem) }
}
