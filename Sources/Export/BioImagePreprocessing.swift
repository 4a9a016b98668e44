import Datasets

/// A bioimage.io preprocessing step (model description format 0.5), as `rdf.yaml` writes it.
/// The `dataset` normalisation maps to `scale_linear` by 1/max value (pixels to [0, 1], as
/// `unet` reads images), then `fixed_zero_mean_unit_variance` with the stored mean and std; the
/// `percentile` one to `scale_range` per image and channel with its percentiles (the 1/max value
/// cancels there), `clip` to [0, 1], then the stored mean and std.
public enum BioImagePreprocessing: Equatable {
    case scaleLinear(gain: [Double], offset: [Double])
    case fixedZeroMeanUnitVariance(mean: [Double], std: [Double])
    /// (x − p_low) / (p_high − p_low + eps), percentiles over y and x of each channel of each image.
    case scaleRange(minPercentile: Double, maxPercentile: Double)
    case clip(min: Double, max: Double)

    /// The steps that turn raw pixels (0…maxValue) into the network's input.
    public static func steps(for normalization: InputNormalization, maxValue: Int) -> [BioImagePreprocessing] {
        let channels = normalization.channels
        let standardise = BioImagePreprocessing.fixedZeroMeanUnitVariance(mean: normalization.mean.map(Double.init),
                                                                         std: normalization.std.map(Double.init))
        switch normalization.scheme {
        case .dataset:
            return [.scaleLinear(gain: Array(repeating: 1 / Double(maxValue), count: channels), offset: Array(repeating: 0, count: channels)),
                    standardise]
        case .percentile(let low, let high):
            return [.scaleRange(minPercentile: Double(low), maxPercentile: Double(high)), .clip(min: 0, max: 1), standardise]
        }
    }

    /// What the step does to `value` of `channel`, in the spec's words, for tests and the README.
    public func apply(_ value: Double, channel: Int) -> Double {
        switch self {
        case .scaleLinear(let gain, let offset): return value * gain[channel] + offset[channel]
        case .fixedZeroMeanUnitVariance(let mean, let std): return (value - mean[channel]) / std[channel]
        case .scaleRange: preconditionFailure("[BioImagePreprocessing] scale_range needs the whole image's percentiles")
        case .clip(let low, let high): return min(max(value, low), high)
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
        case .scaleRange(let low, let high):
            // Percentiles per image and channel: over y and x only.
            return .map([("id", .string("scale_range")), ("kwargs", .map([("axes", .list([.string("y"), .string("x")])),
                                                                         ("min_percentile", .float(low)), ("max_percentile", .float(high))]))])
        case .clip(let low, let high):
            return .map([("id", .string("clip")), ("kwargs", .map([("min", .float(low)), ("max", .float(high))]))])
        }
        let count = kwargs.first.map { if case .list(let l) = $0.1 { return l.count } else { return 1 } } ?? 1
        return .map([("id", .string(id)), ("kwargs", .map((count > 1 ? [("axis", .string("channel"))] : []) + kwargs))])
    }
}
