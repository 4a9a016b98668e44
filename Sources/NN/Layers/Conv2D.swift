import Tensors

/// A 2-D convolution layer with He (Kaiming normal, fan-in) initialised weights [Cout,Cin,k,k]:
/// std = sqrt(2 / (Cin·k·k)), right for a convolution followed by ReLU. Bias, when present,
/// starts at zero. Padding 0 is the paper's valid convolution.
public final class Conv2D: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
                rng: inout SeededGenerator) {
        let fanIn = Float(inChannels * kernel * kernel)
        weight = Tensor.randomNormal(Shape(outChannels, inChannels, kernel, kernel), std: (2 / fanIn).squareRoot(), using: &rng)
        weight.requiresGrad = true
        self.bias = bias ? Tensor.zeros(Shape(outChannels)) : nil
        self.bias?.requiresGrad = true
        self.stride = stride
        self.padding = padding
    }

    public var kernel: Int { weight.shape[2] }

    public var parameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}
