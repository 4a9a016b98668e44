import Tensors

/// Post-activation residual block (He et al. 2016a): relu(bn2(conv2(relu(bn1(conv1 x)))) + skip(x)).
/// Names: conv1, bn1, conv2, bn2, and skip, skip_bn for the projection.
public final class ResidualBlock: Block {
    let unit1, unit2: ConvNorm
    let shortcut: Shortcut

    public init(_ cin: Int, _ cout: Int, padding: PaddingMode, batchNorm: Bool, mode: RunMode, rng: inout SeededGenerator) {
        let p = padding == .same ? 1 : 0
        unit1 = ConvNorm(cin, cout, kernel: 3, padding: p, batchNorm: batchNorm, mode: mode, rng: &rng)
        unit2 = ConvNorm(cout, cout, kernel: 3, padding: p, batchNorm: batchNorm, mode: mode, rng: &rng)
        shortcut = Shortcut(cin, cout, batchNorm: batchNorm, mode: mode, rng: &rng)
    }

    public var parameters: [(name: String, tensor: Tensor)] {
        unit1.named("conv1", "bn1").parameters + unit2.named("conv2", "bn2").parameters + shortcut.named.parameters
    }
    public var buffers: [(name: String, tensor: Tensor)] {
        unit1.named("conv1", "bn1").buffers + unit2.named("conv2", "bn2").buffers + shortcut.named.buffers
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let skip = shortcut(x, height: unit2.outputSize(unit1.outputSize(x.shape.h)), width: unit2.outputSize(unit1.outputSize(x.shape.w)))
        return unit2(unit1(x, relu: true), relu: true, residual: skip)
    }
}
