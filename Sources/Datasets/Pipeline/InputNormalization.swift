/// Per-channel standardisation of images scaled to [0, 1]: x ← (x − mean[c]) / std[c].
/// Estimated from the training images and stored in the checkpoint, so prediction applies
/// exactly what training saw.
public struct InputNormalization: Codable, Equatable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && std.allSatisfy { $0 > 0 }, "[InputNormalization] mean \(mean), std \(std)")
        self.mean = mean
        self.std = std
    }

    private enum CodingKeys: String, CodingKey { case mean, std }

    /// Decodes through Double: JSONDecoder reports a number too large for a Float only as "not
    /// valid JSON"; as infinity it is named by `problems(channels:)`. Values are not checked here.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mean = try c.decode([Double].self, forKey: .mean).map { Float($0) }
        std = try c.decode([Double].self, forKey: .std).map { Float($0) }
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

    /// Applies the normalisation in place to a planar image.
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
