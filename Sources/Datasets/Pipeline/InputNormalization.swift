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

    /// The identity (mean 0, std 1) for `channels` channels.
    public static func identity(channels: Int) -> InputNormalization {
        InputNormalization(mean: Array(repeating: 0, count: channels), std: Array(repeating: 1, count: channels))
    }

    public var channels: Int { mean.count }

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
