import Tensors

extension UNet {
    /// Replaces every batch-norm layer's running statistics by the average of the batch
    /// statistics of `inputs` under the current weights ("precise" batch norm): the running
    /// averages that training keeps (momentum 0.1) are dominated by the last ten or so batches,
    /// which, when images differ a lot, may not represent the data — and evaluation uses them.
    /// The variance is the average of the batches' unbiased variances. The passes run in
    /// training mode, as training collects the statistics (dropout included); the dropout
    /// generator is restored afterwards, so training continues with the same stream.
    public func recomputeBatchNormStatistics(_ inputs: [Tensor]) {
        guard !inputs.isEmpty else { return }
        let (wasTraining, rng) = (mode.training, mode.rng)
        defer {
            mode.training = wasTraining
            mode.rng = rng
            mode.statisticsMomentum = nil
        }
        mode.training = true
        for (k, x) in inputs.enumerated() {
            mode.statisticsMomentum = 1 / Float(k + 1)
            _ = Tape.withoutRecording { self(x) }
        }
    }
}
