import Tensors

/// Where the ranks of a data-parallel run meet: gradients, the loss, stop requests and batch-norm
/// running statistics are combined here, and nowhere else. A single process uses
/// `LocalGradients` (a world of one, every call an identity); an in-process fake world serves the
/// tests; a later one runs over MPI (one process per rank) or NCCL.
///
/// The contract, written so that an MPI implementation fits:
/// - Every rank makes the same calls in the same order with buffers of the same shapes (the ranks
///   run the same model on equal shards), so each call can be a collective. The happy path needs
///   no barrier besides the collectives themselves.
/// - `gradientReady` comes first, once per parameter per step, in backward order (the same on
///   every rank), as soon as that gradient is final; an implementation may start an asynchronous
///   all-reduce of a bucket there. `combine(_:)` (the parameters) then finishes: on return every
///   parameter's `grad` is the average over the ranks, including parameters that were never
///   reported (unused in this step's graph). Averaging, not summing: each rank's loss is a mean
///   over its shard, so the average of equal shards' gradients is the gradient of the mean over
///   the combined batch.
/// - `combine(_ value:)` averages a scalar (the step's loss, for logging and the divergence check,
///   so that every rank sees the same value and stops together).
/// - `combineStop` is a logical OR over the ranks: any rank asked to stop stops them all, at the
///   same step.
/// - `sum(_:)` adds numbers element-wise over the ranks (exact for counts below 2^53): the
///   sharded validation's confusion matrices and log-likelihood sums.
/// - `combine(runningStatistics:)` averages the batch-norm buffers in place (running means and
///   variances), so that every rank validates and saves the same model.
public protocol GradientReducer {
    /// This process's rank, 0..<worldSize.
    var rank: Int { get }
    var worldSize: Int { get }
    /// The rank that writes the run folder (checkpoints, metrics, curves, options) and prints.
    var isPrimary: Bool { get }
    /// `parameter.grad` is final for this step (called by the tape during the backward pass).
    func gradientReady(name: String, tensor parameter: Tensor)
    /// Averages every parameter's `grad` over the ranks, in place (same list, same order on every rank).
    func combine(_ parameters: [(name: String, tensor: Tensor)])
    /// The average of a scalar (the loss) over the ranks.
    func combine(_ value: Float) -> Float
    /// True on every rank when any rank passes true.
    func combineStop(_ local: Bool) -> Bool
    /// Averages batch-norm running statistics over the ranks, in place.
    func combine(runningStatistics: [(name: String, tensor: Tensor)])
    /// The element-wise sums over the ranks.
    func sum(_ values: [Double]) -> [Double]
}

extension GradientReducer {
    public var isPrimary: Bool { rank == 0 }
    public func gradientReady(name: String, tensor parameter: Tensor) {}
}

/// One process: nothing to combine.
public struct LocalGradients: GradientReducer {
    public init() {}
    public var rank: Int { 0 }
    public var worldSize: Int { 1 }
    public func combine(_ parameters: [(name: String, tensor: Tensor)]) {}
    public func combine(_ value: Float) -> Float { value }
    public func combineStop(_ local: Bool) -> Bool { local }
    public func combine(runningStatistics: [(name: String, tensor: Tensor)]) {}
    public func sum(_ values: [Double]) -> [Double] { values }
}
