import Tensors

/// The paper's stage: conv3×3 → BN → ReLU → conv3×3 → BN → ReLU.
/// Names: conv1, bn1, conv2, bn2.
public final class PlainBlock: Block {
    let unit1, unit2: ConvNorm

    public init(_ cin: Int, _ cout: Int, padding: PaddingMode, batchNorm: Bool, mode: RunMode, rng: inout SeededGenerator) {
        let p = padding == .same ? 1 : 0
        unit1 = ConvNorm(cin, cout, kernel: 3, padding: p, batchNorm: batchNorm, mode: mode, rng: &rng)
        unit2 = ConvNorm(cout, cout, kernel: 3, padding: p, batchNorm: batchNorm, mode: mode, rng: &rng)
    }

    public var parameters: [(name: String, tensor: Tensor)] { unit1.named("conv1", "bn1").parameters + unit2.named("conv2", "bn2").parameters }
    public var buffers: [(name: String, tensor: Tensor)] { unit1.named("conv1", "bn1").buffers + unit2.named("conv2", "bn2").buffers }

    public func callAsFunction(_ x: Tensor) -> Tensor { unit2(unit1(x, relu: true), relu: true) }
}
