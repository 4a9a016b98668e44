#if canImport(Glibc)
import Glibc
#endif

/// Synchronised batch normalisation for data-parallel training (PyTorch's `SyncBatchNorm`):
/// while installed on a thread (`during`), training-mode `batchNorm` on that thread normalises
/// with the mean and variance of the whole global batch, all ranks' shards together, instead of
/// this rank's shard, and its backward pass adds the gradient terms that flow through those
/// shared statistics. `sum` adds numbers element-wise over the ranks; it is a collective, so
/// every rank must run the same batch-norm layers in the same order (they run the same model).
/// Without it (the default, as PyTorch's DDP) each rank normalises with its own shard's statistics.
public final class BatchStatisticsSync {
    public let sum: ([Double]) -> [Double]

    public init(sum: @escaping ([Double]) -> [Double]) { self.sum = sum }

    /// The synchronisation installed on this thread, if any (thread-local, as the recording tape,
    /// so that ranks may be threads of one process in tests).
    static var current: BatchStatisticsSync? {
        get { pthread_getspecific(syncKey).map { Unmanaged<BatchStatisticsSync>.fromOpaque($0).takeUnretainedValue() } }
        set { pthread_setspecific(syncKey, newValue.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) }) }
    }

    /// Runs `body` (a forward pass) with this synchronisation installed. The backward pass needs
    /// no installation: each recorded batch norm keeps the synchronisation it was run with.
    public func during<T>(_ body: () throws -> T) rethrows -> T {
        let previous = BatchStatisticsSync.current
        BatchStatisticsSync.current = self
        defer { BatchStatisticsSync.current = previous }
        return try withExtendedLifetime(self) { try body() }
    }
}

/// The thread-local slot of `BatchStatisticsSync.current` (unretained: only `during` sets it).
private let syncKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "[BatchStatisticsSync] cannot create the thread-local slot")
    return key
}()

/// Training-mode batch norm with statistics over every rank's shard. x: [N,C,H,W] on each rank;
/// the global batch has M = Σ_ranks N·H·W values per channel.
///
/// Forward: each rank's shard mean m_r and biased variance v_r (the backend's own batch
/// statistics) are summed over the ranks as n_r·m_r and n_r·(v_r + m_r²) in double precision,
/// giving the global mean μ and variance σ² = E[x²] − μ²; y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε).
/// Backward, with dy this rank's loss gradient (each rank's loss is the mean over its shard and
/// the gradients are then averaged, so the per-rank terms add up to the global batch's):
/// dx = γ/√(σ² + ε) · (dy − Σ_all dy / M − x̂ · Σ_all dy·x̂ / M), where the two sums are the
/// ranks' dβ and dγ summed over the ranks. The backend computes the fixed-statistics part γ/√(σ²+ε)·dy
/// with its local dγ, dβ; the rest is affine in x per channel, so it is one more batch-norm
/// inference with coefficients γ' = −γ/√(σ²+ε)·Σdγ/M, β' = −γ/√(σ²+ε)·Σdβ/M. dγ and dβ are
/// returned as this rank's sums: the reducer averages them like every gradient.
func synchronizedBatchNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVariance: Tensor,
                           momentum: Float, epsilon: Float, fusedReLU: Bool, sync: BatchStatisticsSync) -> Tensor {
    let backend = Backend.current
    let c = x.shape.c
    let (_, localMean, localVariance, _) = backend.batchNormTraining(x, gamma: gamma, beta: beta, epsilon: epsilon, fusedReLU: false)
    let n = Double(x.shape.n * x.shape.h * x.shape.w)
    let (m, v) = (localMean.scalars, localVariance.scalars)
    var local = [Double](repeating: 0, count: 2 * c + 1)
    for i in 0..<c {
        local[i] = n * Double(m[i])
        local[c + i] = n * (Double(v[i]) + Double(m[i]) * Double(m[i]))
    }
    local[2 * c] = n
    let total = sync.sum(local)
    let count = total[2 * c]
    let mean = (0..<c).map { total[$0] / count }
    let variance = (0..<c).map { max(0, total[c + $0] / count - mean[$0] * mean[$0]) }
    let meanTensor = Tensor(shape: Shape(c), scalars: mean.map(Float.init))
    let varianceTensor = Tensor(shape: Shape(c), scalars: variance.map(Float.init))
    backend.updateRunningStatistics(mean: runningMean, variance: runningVariance, batchMean: meanTensor, batchVariance: varianceTensor,
                                    momentum: momentum, unbias: count > 1 ? Float(count / (count - 1)) : 1)
    let y = backend.batchNormInference(x, gamma: gamma, beta: beta, mean: meanTensor, variance: varianceTensor, epsilon: epsilon)
    Tape.record(y, inputs: [x, gamma, beta]) { dy in
        let fixed = backend.batchNormBackward(dy, x: x, gamma: gamma, beta: beta, mean: meanTensor, variance: varianceTensor,
                                              epsilon: epsilon, statisticsFixed: true, fusedReLU: false, context: nil)
        let sums = sync.sum(fixed.dgamma.scalars.map(Double.init) + fixed.dbeta.scalars.map(Double.init))
        let g = gamma.scalars
        var scale = [Float](repeating: 0, count: c), shift = [Float](repeating: 0, count: c)
        for i in 0..<c {
            let k = Double(g[i]) / (variance[i] + Double(epsilon)).squareRoot() / count
            scale[i] = Float(-k * sums[i])
            shift[i] = Float(-k * sums[c + i])
        }
        let correction = backend.batchNormInference(x, gamma: Tensor(shape: Shape(c), scalars: scale), beta: Tensor(shape: Shape(c), scalars: shift),
                                                    mean: meanTensor, variance: varianceTensor, epsilon: epsilon)
        return [backend.add(fixed.dx, correction), fixed.dgamma, fixed.dbeta]
    }
    return fusedReLU ? relu(y) : y
}
