/// Where a training loop takes its batches from. The batch of a step depends on the step alone
/// (and the source's own seed), never on which batches were asked for before, so a run resumed
/// at step k sees exactly the batches an uninterrupted run would, and batches can be produced
/// ahead of time on another thread.
public protocol BatchSource: Sendable {
    /// Steps in one epoch (the loop ends an epoch, validates and saves every so many steps).
    var stepsPerEpoch: Int { get }
    /// The batch of global step `step` (0-based).
    func batch(step: Int) throws -> Batch
}
