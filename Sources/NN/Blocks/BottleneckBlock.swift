import Tensors

/// Bottleneck residual block: 1×1 reduce to max(Cout/4, 1) channels, 3×3, 1×1 expand to Cout
/// (each followed by BN; ReLU after the first two), add the skip, ReLU.
/// Names: conv1, bn1, conv2, bn2, conv3, bn3, skip, skip_bn.
public final class BottleneckBlock: Block {
    let unit1, unit2, unit3: ConvNorm
    let shortcut: Shortcut

    public init(_ cin: Int, _ cout: Int, padding: PaddingMode, batchNorm: Bool, mode: RunMode, rng: inout SeededGenerator) {
        let mid = max(cout / 4, 1)
        unit1 = ConvNorm(cin, mid, kernel: 1, padding: 0, batchNorm: batchNorm, mode: mode, rng: &rng)
        unit2 = ConvNorm(mid, mid, kernel: 3, padding: padding == .same ? 1 : 0, batchNorm: batchNorm, mode: mode, rng: &rng)
        unit3 = ConvNorm(mid, cout, kernel: 1, padding: 0, batchNorm: batchNorm, mode: mode, rng: &rng)
        shortcut = Shortcut(cin, cout, batchNorm: batchNorm, mode: mode, rng: &rng)
    }

    public var parameters: [(name: String, tensor: Tensor)] {
        unit1.named("conv1", "bn1").parameters + unit2.named("conv2", "bn2").parameters + unit3.named("conv3", "bn3").parameters
            + shortcut.named.parameters
    }
    public var buffers: [(name: String, tensor: Tensor)] {
        unit1.named("conv1", "bn1").buffers + unit2.named("conv2", "bn2").buffers + unit3.named("conv3", "bn3").buffers
            + shortcut.named.buffers
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let skip = shortcut(x, height: unit2.outputSize(x.shape.h), width: unit2.outputSize(x.shape.w))
        return unit3(unit2(unit1(x, relu: true), relu: true), relu: true, residual: skip)
    }
}
