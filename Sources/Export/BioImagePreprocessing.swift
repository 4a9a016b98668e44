import Datasets

/// A bioimage.io preprocessing step (model description format 0.5), as `rdf.yaml` writes it.
/// The stored normalisation maps to two steps: `scale_linear` by 1/max value (pixels to [0, 1],
/// as `unet` reads images), then `fixed_zero_mean_unit_variance` with the stored mean and std.
/// A percentile normalisation would map to `scale_range` with its percentiles: one more case.
public enum BioImagePreprocessing: Equatable {
    case scaleLinear(gain: [Double], offset: [Double])
    case fixedZeroMeanUnitVariance(mean: [Double], std: [Double])

    /// The steps that turn raw pixels (0…maxValue) into the network's input.
    public static func steps(for normalization: InputNormalization, maxValue: Int) -> [BioImagePreprocessing] {
        let channels = normalization.channels
        return [.scaleLinear(gain: Array(repeating: 1 / Double(maxValue), count: channels), offset: Array(repeating: 0, count: channels)),
                .fixedZeroMeanUnitVariance(mean: normalization.mean.map(Double.init), std: normalization.std.map(Double.init))]
    }

    /// What the step does to `value` of `channel`, in the spec's words, for tests and the README.
    public func apply(_ value: Double, channel: Int) -> Double {
        switch self {
        case .scaleLinear(let gain, let offset): return value * gain[channel] + offset[channel]
        case .fixedZeroMeanUnitVariance(let mean, let std): return (value - mean[channel]) / std[channel]
        }
    }

    /// One value per channel is written as a scalar for single-channel models (the spec refuses
    /// an `axis` with scalars) and as a list along the `channel` axis otherwise.
    public var yaml: YAMLValue {
        func values(_ name: String, _ v: [Double]) -> (String, YAMLValue) {
            (name, v.count == 1 ? .float(v[0]) : .list(v.map { .float($0) }))
        }
        let (id, kwargs): (String, [(String, YAMLValue)])
        switch self {
        case .scaleLinear(let gain, let offset):
            id = "scale_linear"
            kwargs = [values("gain", gain), values("offset", offset)]
        case .fixedZeroMeanUnitVariance(let mean, let std):
            id = "fixed_zero_mean_unit_variance"
            kwargs = [values("mean", mean), values("std", std)]
        }
        let count = kwargs.first.map { if case .list(let l) = $0.1 { return l.count } else { return 1 } } ?? 1
        return .map([("id", .string(id)), ("kwargs", .map((count > 1 ? [("axis", .string("channel"))] : []) + kwargs))])
    }
}
