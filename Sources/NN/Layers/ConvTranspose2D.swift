import Tensors

/// A 2-D transposed convolution (the U-Net's 2×2 stride-2 up-convolution), weight [Cin,Cout,k,k]
/// as in PyTorch, He-initialised with fan-in Cin·k·k / stride² (each output sees that many inputs).
public final class ConvTranspose2D: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int = 2, stride: Int = 2, bias: Bool = true, rng: inout SeededGenerator) {
        let fanIn = Float(inChannels * kernel * kernel) / Float(stride * stride)
        weight = Tensor.randomNormal(Shape(inChannels, outChannels, kernel, kernel), std: (2 / fanIn).squareRoot(), using: &rng)
        weight.requiresGrad = true
        self.bias = bias ? Tensor.zeros(Shape(outChannels)) : nil
        self.bias?.requiresGrad = true
        self.stride = stride
    }

    public var parameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        convTranspose2d(x, weight: weight, bias: bias, stride: stride)
    }
}
