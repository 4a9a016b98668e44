import Tensors

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
