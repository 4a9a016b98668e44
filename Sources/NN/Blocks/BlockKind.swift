import Tensors

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

/// Convolution padding: the paper's `valid` (no padding, maps shrink) or `same` (padding 1).
public enum PaddingMode: String, CaseIterable, Codable, Sendable {
    case valid, same
}

/// A stage's block: maps [N,Cin,H,W] to [N,Cout,H−2b,W−2b] with b the border lost per side.
public protocol Block: Layer {
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// Builds the block of `kind`. With batch norm off, convolutions carry biases instead.
public func makeBlock(_ kind: BlockKind, _ inChannels: Int, _ outChannels: Int, padding: PaddingMode, batchNorm: Bool,
                      mode: RunMode, rng: inout SeededGenerator) -> Block {
    switch kind {
    case .plain: return PlainBlock(inChannels, outChannels, padding: padding, batchNorm: batchNorm, mode: mode, rng: &rng)
    case .residual: return ResidualBlock(inChannels, outChannels, padding: padding, batchNorm: batchNorm, mode: mode, rng: &rng)
    case .preact: return PreActivationBlock(inChannels, outChannels, padding: padding, batchNorm: batchNorm, mode: mode, rng: &rng)
    case .bottleneck: return BottleneckBlock(inChannels, outChannels, padding: padding, batchNorm: batchNorm, mode: mode, rng: &rng)
    }
}

/// A convolution, then batch norm when enabled: the unit every block is built from.
///
/// In inference (eval mode, no tape) the batch norm is folded into the convolution's weights and
/// bias, and the residual sum and ReLU run as fused post-ops of the convolution.
final class ConvNorm: Layer {
    let conv: Conv2D
    let norm: BatchNorm2D?
    private var folded: (key: [Int], weight: Tensor, bias: Tensor?)?

    init(_ cin: Int, _ cout: Int, kernel: Int, padding: Int, batchNorm: Bool, mode: RunMode, rng: inout SeededGenerator) {
        conv = Conv2D(cin, cout, kernel: kernel, padding: padding, bias: !batchNorm, rng: &rng)
        norm = batchNorm ? BatchNorm2D(cout, mode: mode) : nil
    }

    /// Names its convolution `convName` and its batch norm `normName`.
    func named(_ convName: String, _ normName: String) -> (parameters: [(name: String, tensor: Tensor)], buffers: [(name: String, tensor: Tensor)]) {
        (scoped(convName, conv.parameters) + (norm.map { scoped(normName, $0.parameters) } ?? []),
         norm.map { scoped(normName, $0.buffers) } ?? [])
    }

    var parameters: [(name: String, tensor: Tensor)] { conv.parameters + (norm?.parameters ?? []) }

    /// Side of the output for an input side.
    func outputSize(_ n: Int) -> Int { n + 2 * conv.padding - conv.kernel + 1 }

    /// relu?(bn(conv(x)) + residual?), the ReLU only when `relu`.
    /// `cropTo` centre-crops the convolution's output before normalisation (a 1×1 convolution
    /// commutes with cropping, and the cropped output is smaller than the cropped input when the
    /// convolution reduces channels).
    func callAsFunction(_ x: Tensor, relu applyReLU: Bool = false, residual: Tensor? = nil, cropTo: (Int, Int)? = nil) -> Tensor {
        precondition(cropTo == nil || (residual == nil && !applyReLU), "[ConvNorm] cropTo is for plain projections")
        if !Tape.isRecording, !(norm?.mode.training ?? false) {
            let (w, b) = foldedParameters()
            let y = conv2dFused(x, weight: w, bias: b, stride: conv.stride, padding: conv.padding, residual: residual, relu: applyReLU)
            guard let (h, w) = cropTo else { return y }
            return centerCrop(y, height: h, width: w)
        }
        var y = conv(x)
        if let (h, w) = cropTo { y = centerCrop(y, height: h, width: w) }
        if let residual {
            let normalized = norm.map { $0(y) } ?? y
            return applyReLU ? addReLU(normalized, residual) : normalized + residual
        }
        if let norm { return norm(y, relu: applyReLU) }
        return applyReLU ? relu(y) : y
    }

    /// w' = w·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β; recomputed when any input changed.
    func foldedParameters() -> (Tensor, Tensor?) {
        guard let norm else { return (conv.weight, conv.bias) }
        let key = [conv.weight.version, conv.bias?.version ?? -1, norm.weight.version, norm.bias.version,
                   norm.runningMean.version, norm.runningVariance.version]
        if let f = folded, f.key == key { return (f.weight, f.bias) }
        let cout = conv.weight.shape[0], per = conv.weight.count / cout
        let w = conv.weight.scalars, gamma = norm.weight.scalars, beta = norm.bias.scalars
        let mean = norm.runningMean.scalars, variance = norm.runningVariance.scalars
        let b0 = conv.bias?.scalars ?? Array(repeating: 0, count: cout)
        var fw = w, fb = [Float](repeating: 0, count: cout)
        for o in 0..<cout {
            let scale = gamma[o] / (variance[o] + norm.epsilon).squareRoot()
            for i in 0..<per { fw[o * per + i] = w[o * per + i] * scale }
            fb[o] = (b0[o] - mean[o]) * scale + beta[o]
        }
        let result = (Tensor(shape: conv.weight.shape, scalars: fw), Tensor(shape: Shape(cout), scalars: fb))
        folded = (key, result.0, result.1)
        return result
    }
}

/// The skip path of a residual block: identity, or a 1×1 projection (with BN when enabled) when
/// the channel count changes; centre-cropped to the main path's size under valid padding.
final class Shortcut {
    let projection: ConvNorm?

    init(_ cin: Int, _ cout: Int, batchNorm: Bool, mode: RunMode, rng: inout SeededGenerator) {
        projection = cin == cout ? nil : ConvNorm(cin, cout, kernel: 1, padding: 0, batchNorm: batchNorm, mode: mode, rng: &rng)
    }

    var named: (parameters: [(name: String, tensor: Tensor)], buffers: [(name: String, tensor: Tensor)]) {
        projection?.named("skip", "skip_bn") ?? ([], [])
    }

    /// The skip for a main-path output of `height`×`width` (cropping first: 1×1 convolution commutes with cropping).
    func callAsFunction(_ x: Tensor, height: Int, width: Int) -> Tensor {
        guard let projection else { return centerCrop(x, height: height, width: width) }
        // Crop whichever side has fewer channels: the crop is a copy that training keeps (as the
        // convolution's input, or as batch norm's), and a decoder's shortcut halves the channels
        // of an input (the concatenation) that its first convolution keeps anyway.
        if projection.conv.weight.shape[1] > projection.conv.weight.shape[0] {
            return projection(x, cropTo: (height, width))
        }
        return projection(centerCrop(x, height: height, width: width))
    }
}
