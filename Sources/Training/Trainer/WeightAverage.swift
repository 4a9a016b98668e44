import NN
import Tensors

/// An exponential moving average of a model's weights and batch-norm statistics, updated after
/// every optimizer step; it is the model that training validates and saves. The weights of any
/// single step carry that step's noise, and the running statistics follow the last few batches,
/// which on heterogeneous data differ from batch to batch; the average over the last part of
/// the run carries neither.
///
/// The decay after step t is min(0.999, (1 + t) / (10 + t)): the average spans about the last
/// tenth of the steps so far (≈ t/9), so short and long runs alike average over their own late
/// phase, up to 1000 steps.
final class WeightAverage {
    let model: UNet

    /// Starts as a copy of `source`'s state.
    init(copying source: UNet) {
        model = UNet(source.configuration)
        model.training = false
        copy(from: source)
    }

    /// Sets the average to `source`'s state.
    func copy(from source: UNet) {
        for ((_, a), (_, s)) in zip(model.state, source.state) { a.assign(s.scalars) }
    }

    static let maximumDecay: Float = 0.999

    static func decay(afterStep step: Int) -> Float {
        min(maximumDecay, Float(1 + step) / Float(10 + step))
    }

    /// average ← d·average + (1 − d)·source, for every weight and statistic.
    func update(from source: UNet, step: Int) {
        let d = Self.decay(afterStep: step)
        for ((_, a), (_, s)) in zip(model.state, source.state) {
            Backend.current.scale(a, by: d)
            Backend.current.axpy(1 - d, s, into: a)
        }
    }
}
