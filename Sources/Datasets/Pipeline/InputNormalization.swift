/// How images scaled to [0, 1] (8/16-bit; float images as stored) become network inputs, in
/// two steps: `prepare`, per whole image (the percentile scheme's per-image rescaling, done
/// before patches are cut and augmented), then `apply`, per-channel standardisation
/// x ← (x − mean[c]) / std[c]. Stored in the checkpoint, so prediction applies exactly what
/// training saw.
public struct InputNormalization: Codable, Equatable, Sendable {
    /// How images are brought to a common range before standardisation.
    public enum Scheme: Equatable, Sendable, Codable {
        /// Mean and std estimated over the training images (`estimate`); `prepare` does nothing.
        case dataset
        /// Per image and channel, the `low` and `high` percentiles (0...100, as numpy's linear
        /// `percentile`) map to 0 and 1, clipped to [0, 1], as microscopy tools (CSBDeep,
        /// StarDist) normalise; mean 0 and std 1 follow. Suits 16-bit and float images whose
        /// brightness varies from image to image.
        case percentile(low: Float, high: Float)

        /// The microscopy default: 1st and 99.8th percentiles.
        public static let defaultPercentile = Scheme.percentile(low: 1, high: 99.8)

        /// `dataset`, or `percentile LOW HIGH`.
        public var summary: String {
            switch self {
            case .dataset: return "dataset"
            case .percentile(let low, let high): return "percentile \(low) \(high)"
            }
        }
    }

    public var mean: [Float]
    public var std: [Float]
    /// The per-image step; `.dataset` for checkpoints written before there was a choice.
    public var scheme: Scheme

    public init(mean: [Float], std: [Float], scheme: Scheme = .dataset) {
        precondition(mean.count == std.count && std.allSatisfy { $0 > 0 }, "[InputNormalization] mean \(mean), std \(std)")
        self.mean = mean
        self.std = std
        self.scheme = scheme
    }

    /// Percentile normalisation for `channels` channels (mean 0, std 1 after the per-image step).
    public static func percentile(low: Float, high: Float, channels: Int) -> InputNormalization {
        InputNormalization(mean: Array(repeating: 0, count: channels), std: Array(repeating: 1, count: channels),
                           scheme: .percentile(low: low, high: high))
    }

    private enum CodingKeys: String, CodingKey { case mean, std, scheme, percentiles }

    /// Decodes through Double: JSONDecoder reports a number too large for a Float only as "not
    /// valid JSON"; as infinity it is named by `problems(channels:)`. Values are not checked here.
    /// Without `scheme` (older checkpoints) the scheme is `dataset`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mean = try c.decode([Double].self, forKey: .mean).map { Float($0) }
        std = try c.decode([Double].self, forKey: .std).map { Float($0) }
        switch try c.decodeIfPresent(String.self, forKey: .scheme) ?? "dataset" {
        case "dataset":
            scheme = .dataset
        case "percentile":
            let bounds = try c.decode([Double].self, forKey: .percentiles)
            guard bounds.count == 2 else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.percentiles],
                    debugDescription: "has \(bounds.count) values; it needs 2 (low and high percentile)"))
            }
            scheme = .percentile(low: Float(bounds[0]), high: Float(bounds[1]))
        case let other:
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.scheme],
                debugDescription: "unknown scheme \"\(other.prefix(40))\"; it must be dataset or percentile"))
        }
    }

    /// Writes `scheme` ("dataset" or "percentile") and, for percentile, `percentiles: [low, high]`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mean, forKey: .mean)
        try c.encode(std, forKey: .std)
        switch scheme {
        case .dataset:
            try c.encode("dataset", forKey: .scheme)
        case .percentile(let low, let high):
            try c.encode("percentile", forKey: .scheme)
            try c.encode([low, high], forKey: .percentiles)
        }
    }

    /// The identity (mean 0, std 1) for `channels` channels.
    public static func identity(channels: Int) -> InputNormalization {
        InputNormalization(mean: Array(repeating: 0, count: channels), std: Array(repeating: 1, count: channels))
    }

    public var channels: Int { mean.count }

    /// The smallest standard deviation accepted: `estimate` replaces anything smaller by 1, and
    /// dividing by less would turn ordinary pixels into huge or infinite inputs.
    public static let minimumStd: Float = 1e-6

    /// Problems with a normalisation for `channels` input channels, as (field, problem); empty
    /// when usable. Decoded values bypass `init`'s checks, so checkpoints are checked with this.
    public func problems(channels: Int) -> [(field: String, problem: String)] {
        var p: [(String, String)] = []
        if mean.count != channels { p.append(("mean", "has \(mean.count) values for \(channels) input channel(s)")) }
        if std.count != channels { p.append(("std", "has \(std.count) values for \(channels) input channel(s)")) }
        for (i, m) in mean.enumerated() where !m.isFinite { p.append(("mean[\(i)]", "is \(m); it must be a finite number")) }
        for (i, s) in std.enumerated() {
            if !s.isFinite {
                p.append(("std[\(i)]", "is \(s); it must be a finite number"))
            } else if s <= 0 {
                p.append(("std[\(i)]", "is \(s); it must be positive"))
            } else if s < Self.minimumStd {
                p.append(("std[\(i)]", "is \(s); it must be at least \(Self.minimumStd)"))
            }
        }
        if case .percentile(let low, let high) = scheme {
            for (i, value) in [low, high].enumerated() where !(value >= 0 && value <= 100) {
                p.append(("percentiles[\(i)]", "is \(value); a percentile must be within 0...100"))
            }
            if low >= high { p.append(("percentiles", "are \(low) and \(high); the low percentile must be below the high one")) }
        }
        return p
    }

    /// Mean and standard deviation per channel over planar [0,1] images (CHW each).
    /// A channel with (near) zero spread gets std 1, so constant inputs stay finite.
    public static func estimate(from images: [(pixels: [Float], channels: Int)]) -> InputNormalization {
        guard let c = images.first?.channels else { return .identity(channels: 1) }
        var sum = [Double](repeating: 0, count: c), squares = sum, counts = sum
        for (pixels, channels) in images {
            precondition(channels == c, "[InputNormalization] images with \(channels) and \(c) channels")
            let plane = pixels.count / channels
            for ch in 0..<c {
                var s: Double = 0, q: Double = 0
                for i in 0..<plane { let v = Double(pixels[ch * plane + i]); s += v; q += v * v }
                sum[ch] += s; squares[ch] += q; counts[ch] += Double(plane)
            }
        }
        var mean: [Float] = [], std: [Float] = []
        for ch in 0..<c {
            let m = sum[ch] / max(counts[ch], 1)
            let v = max(squares[ch] / max(counts[ch], 1) - m * m, 0)
            mean.append(Float(m))
            std.append(v.squareRoot() > 1e-6 ? Float(v.squareRoot()) : 1)
        }
        return InputNormalization(mean: mean, std: std)
    }

    /// The per-image step, in place, on a whole planar image (CHW) scaled to [0, 1]: for the
    /// percentile scheme each channel's low and high percentiles map to 0 and 1, clipped to
    /// [0, 1] so that training (whose intensity augmentation clamps to [0, 1]) and prediction see
    /// the same range; a channel whose two percentiles coincide becomes 0. Nothing for `.dataset`.
    /// Runs on the whole image, never on a patch, so a patch's values do not depend on where it was cut.
    public func prepare(_ pixels: inout [Float], channels: Int) {
        guard case .percentile(let low, let high) = scheme, channels > 0 else { return }
        let plane = pixels.count / channels
        for ch in 0..<channels {
            let range = (ch * plane)..<((ch + 1) * plane)
            let sorted = pixels[range].sorted()
            let lo = Self.percentile(low, ofSorted: sorted), hi = Self.percentile(high, ofSorted: sorted)
            let scale: Float = hi - lo > 1e-12 ? 1 / (hi - lo) : 0
            for i in range { pixels[i] = min(max((pixels[i] - lo) * scale, 0), 1) }
        }
    }

    /// The `p`th percentile (0...100) of sorted values, interpolating linearly between the two
    /// nearest ranks as numpy's default `percentile` does.
    /// `p` outside 0...100 is clamped (checkpoints and options are checked before this runs).
    public static func percentile(_ p: Float, ofSorted values: [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        let q = p.isNaN ? 0 : min(max(Double(p), 0), 100) / 100
        let rank = q * Double(values.count - 1)
        let below = Int(rank), above = min(below + 1, values.count - 1)
        return values[below] + (values[above] - values[below]) * Float(rank - Double(below))
    }

    /// Applies the standardisation in place to a planar image (after `prepare`).
    public func apply(to pixels: inout [Float]) {
        let plane = pixels.count / channels
        pixels.withUnsafeMutableBufferPointer { p in
            for ch in 0..<channels {
                let m = mean[ch], inv = 1 / std[ch]
                for i in (ch * plane)..<((ch + 1) * plane) { p[i] = (p[i] - m) * inv }
            }
        }
    }
}
