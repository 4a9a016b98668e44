import Tensors

/// Pre-activation residual block (He et al. 2016b): conv2(relu(bn2(conv1(relu(bn1 x))))) + skip(x),
/// no activation after the sum. The projection skip is a plain 1×1 convolution of x (no BN).
/// Names: bn1, conv1, bn2, conv2, skip.
public final class PreActivationBlock: Block {
    let norm1, norm2: BatchNorm2D?
    let conv1, conv2: Conv2D
    let projection: Conv2D?

    public init(_ cin: Int, _ cout: Int, padding: PaddingMode, batchNorm: Bool, mode: RunMode, rng: inout SeededGenerator) {
        let p = padding == .same ? 1 : 0
        norm1 = batchNorm ? BatchNorm2D(cin, mode: mode) : nil
        conv1 = Conv2D(cin, cout, kernel: 3, padding: p, bias: !batchNorm, rng: &rng)
        norm2 = batchNorm ? BatchNorm2D(cout, mode: mode) : nil
        conv2 = Conv2D(cout, cout, kernel: 3, padding: p, bias: true, rng: &rng)
        projection = cin == cout ? nil : Conv2D(cin, cout, kernel: 1, bias: false, rng: &rng)
    }

    public var parameters: [(name: String, tensor: Tensor)] {
        (norm1.map { scoped("bn1", $0.parameters) } ?? []) + scoped("conv1", conv1.parameters)
            + (norm2.map { scoped("bn2", $0.parameters) } ?? []) + scoped("conv2", conv2.parameters)
            + (projection.map { scoped("skip", $0.parameters) } ?? [])
    }
    public var buffers: [(name: String, tensor: Tensor)] {
        (norm1.map { scoped("bn1", $0.buffers) } ?? []) + (norm2.map { scoped("bn2", $0.buffers) } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let a = norm1.map { $0(x, relu: true) } ?? relu(x)
        let h1 = conv1(a)
        let a2 = norm2.map { $0(h1, relu: true) } ?? relu(h1)
        let size = (a2.shape.h + 2 * conv2.padding - 2, a2.shape.w + 2 * conv2.padding - 2)
        let cropped = centerCrop(x, height: size.0, width: size.1)
        let skip = projection.map { $0(cropped) } ?? cropped
        if !Tape.isRecording && !(norm1?.mode.training ?? false) {
            return conv2dFused(a2, weight: conv2.weight, bias: conv2.bias, padding: conv2.padding, residual: skip)
        }
        return conv2(a2) + skip
    }
}
