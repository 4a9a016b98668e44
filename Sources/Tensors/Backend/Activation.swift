/// Elementwise activation.
public enum Activation: Hashable, Sendable {
    case relu
    case leakyRelu(slope: Float)
}
