/// How integer samples map to floats in `Image.planarFloats(normalization:)` and back.
public enum Normalization: Sendable, Equatable {
    /// `value / maxValue` (255 or 65535): samples in [0, 1].
    case unitRange
    /// The sample value itself as a float (class indices, raw intensities).
    case raw
    /// `(value / maxValue - mean[c]) / std[c]` per channel (ImageNet-style).
    case meanStd(mean: [Float], std: [Float])

    func forward(_ value: Float, channel: Int, maxValue: Float) -> Float {
        switch self {
        case .unitRange: return value / maxValue
        case .raw: return value
        case .meanStd(let mean, let std): return (value / maxValue - mean[channel]) / std[channel]
        }
    }

    func inverse(_ value: Float, channel: Int, maxValue: Float) -> Float {
        switch self {
        case .unitRange: return value * maxValue
        case .raw: return value
        case .meanStd(let mean, let std): return (value * std[channel] + mean[channel]) * maxValue
        }
    }

    func check(channels: Int) {
        if case .meanStd(let mean, let std) = self {
            precondition(mean.count == channels && std.count == channels,
                         "[Normalization] meanStd needs \(channels) means and stds, got \(mean.count) and \(std.count)")
        }
    }
}
