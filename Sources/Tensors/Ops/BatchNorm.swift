/// Batch normalisation over (N, H, W) per channel, as PyTorch's `F.batch_norm`.
/// x: [N,C,H,W]; gamma, beta, runningMean, runningVariance: [C].
///
/// Training: normalises with the batch mean and biased variance and updates the running
/// statistics in place: running ← (1 − momentum)·running + momentum·batch, using the unbiased
/// variance (n/(n−1)) for `runningVariance`, as PyTorch does. Inference: uses the running statistics.
///
/// With `fusedReLU` the result is relu(batchNorm(x)), computed in one pass in training mode.
/// With a `BatchStatisticsSync` installed, training mode uses the statistics of every rank's
/// shard together (see `synchronizedBatchNorm`).
public func batchNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVariance: Tensor,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5, fusedReLU: Bool = false) -> Tensor {
    precondition(x.shape.rank == 4 && gamma.count == x.shape.c, "[batch_norm] input \(x.shape) vs gamma \(gamma.shape)")
    let backend = Backend.current
    if training, let sync = BatchStatisticsSync.current {
        return synchronizedBatchNorm(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVariance: runningVariance,
                                     momentum: momentum, epsilon: epsilon, fusedReLU: fusedReLU, sync: sync)
    }
    if training {
        let (y, mean, variance, context) = backend.batchNormTraining(x, gamma: gamma, beta: beta, epsilon: epsilon, fusedReLU: fusedReLU)
        let n = Float(x.shape.n * x.shape.h * x.shape.w)
        let unbias = n > 1 ? n / (n - 1) : 1
        backend.updateRunningStatistics(mean: runningMean, variance: runningVariance, batchMean: mean, batchVariance: variance,
                                        momentum: momentum, unbias: unbias)
        Tape.record(y, inputs: [x, gamma, beta]) { dy in
            let g = backend.batchNormBackward(dy, x: x, gamma: gamma, beta: beta, mean: mean, variance: variance,
                                              epsilon: epsilon, statisticsFixed: false, fusedReLU: fusedReLU, context: context)
            return [g.dx, g.dgamma, g.dbeta]
        }
        if fusedReLU && Tape.isRecording {
            // x, the batch statistics, gamma and beta are saved for the backward pass anyway, so
            // the output can be redone from them (same formula) instead of being kept.
            y.recompute = {
                backend.activation(backend.batchNormInference(x, gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon), .relu)
            }
        }
        return y
    }
    let normalized = backend.batchNormInference(x, gamma: gamma, beta: beta, mean: runningMean, variance: runningVariance, epsilon: epsilon)
    Tape.record(normalized, inputs: [x, gamma, beta]) { dy in
        let g = backend.batchNormBackward(dy, x: x, gamma: gamma, beta: beta, mean: runningMean, variance: runningVariance,
                                          epsilon: epsilon, statisticsFixed: true, fusedReLU: false, context: nil)
        return [g.dx, g.dgamma, g.dbeta]
    }
    return fusedReLU ? relu(normalized) : normalized
}
