import Tensors

/// A layer: a value you call, owning named parameters and buffers.
///
/// Every parameter and buffer has a stable dotted name (`encoder.0.conv1.weight`), listed
/// explicitly by each layer (no reflection). The optimizer, the checkpoint and the tests use them.
public protocol Layer: AnyObject {
    /// Trainable tensors with their names relative to this layer.
    var parameters: [(name: String, tensor: Tensor)] { get }
    /// Non-trainable state (batch-norm running statistics) with names relative to this layer.
    var buffers: [(name: String, tensor: Tensor)] { get }
}

extension Layer {
    public var buffers: [(name: String, tensor: Tensor)] { [] }
}

/// Prefixes child names: `scoped("conv1", child.parameters)` gives `conv1.weight`, …
func scoped(_ prefix: String, _ items: [(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] {
    items.map { (prefix + "." + $0.name, $0.tensor) }
}

/// Whether layers run in training mode (batch statistics, dropout) and the generator dropout
/// draws from. One instance is shared by all layers of a model.
public final class RunMode {
    public var training: Bool
    public var rng: SeededGenerator
    /// When set, every batch-norm layer updates its running statistics with this momentum
    /// instead of its own (1/(k+1) for the k-th batch makes them the plain average of the
    /// batches' statistics: see `UNet.recomputeBatchNormStatistics`).
    public var statisticsMomentum: Float?

    public init(training: Bool = false, seed: UInt64 = 0) {
        self.training = training
        self.rng = SeededGenerator(seed: seed)
    }
}
