import Tensors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random photometric changes to the image only (never the mask or weights), for images whose
/// values lie in [0, 1].
///
/// Applied in this order, each factor drawn uniformly from its range (a nil range is skipped and
/// draws nothing): gamma `x ← clamp(x, 0, 1)^γ`; contrast `x ← mean + c·(x - mean)` with the
/// mean of each channel; brightness `x ← x + b`; Gaussian noise `x ← x + N(0, s²)` with `s` drawn
/// from `noiseStandardDeviation`. When `clampsOutput` is set the result is clamped to [0, 1].
public struct IntensityAugmentation: Sendable, Equatable {
    /// Additive offset range, or nil for none.
    public var brightness: ClosedRange<Float>?
    /// Multiplicative factor range around the channel mean, or nil for none.
    public var contrast: ClosedRange<Float>?
    /// Exponent range applied to clamped [0, 1] values, or nil for none.
    public var gamma: ClosedRange<Float>?
    /// Range of the noise standard deviation, or nil for no noise.
    public var noiseStandardDeviation: ClosedRange<Float>?
    /// Whether the result is clamped back to [0, 1].
    public var clampsOutput: Bool

    /// Creates an intensity augmentation; the defaults are mild and noise-free.
    public init(brightness: ClosedRange<Float>? = -0.1...0.1, contrast: ClosedRange<Float>? = 0.8...1.2,
                gamma: ClosedRange<Float>? = 0.8...1.25, noiseStandardDeviation: ClosedRange<Float>? = nil,
                clampsOutput: Bool = true) {
        self.brightness = brightness
        self.contrast = contrast
        self.gamma = gamma
        self.noiseStandardDeviation = noiseStandardDeviation
        self.clampsOutput = clampsOutput
    }

    /// Draws the factors and applies them to a sample's image.
    public func apply(to sample: Sample, rng: inout SeededGenerator) -> Sample {
        var out = sample
        out.image = apply(to: sample.image, channels: sample.channels, rng: &rng)
        return out
    }

    /// Draws the factors and applies them to a planar `channels × H × W` image.
    public func apply(to image: [Float], channels: Int, rng: inout SeededGenerator) -> [Float] {
        func draw(_ range: ClosedRange<Float>?) -> Float? {
            range.map { $0.lowerBound + ($0.upperBound - $0.lowerBound) * rng.nextUnitFloat() }
        }
        let gammaValue = draw(gamma)
        let contrastValue = draw(contrast)
        let brightnessValue = draw(brightness)
        let noiseValue = draw(noiseStandardDeviation)
        var out = image
        let planeSize = image.count / max(channels, 1)
        out.withUnsafeMutableBufferPointer { px in
            if let g = gammaValue {
                for i in 0..<px.count { px[i] = powf(min(max(px[i], 0), 1), g) }
            }
            if let c = contrastValue {
                for ch in 0..<channels {
                    let plane = UnsafeMutableBufferPointer(rebasing: px[ch * planeSize ..< (ch + 1) * planeSize])
                    var sum: Double = 0
                    for v in plane { sum += Double(v) }
                    let mean = Float(sum / Double(max(planeSize, 1)))
                    for i in 0..<plane.count { plane[i] = mean + c * (plane[i] - mean) }
                }
            }
            if let b = brightnessValue {
                for i in 0..<px.count { px[i] += b }
            }
            if let s = noiseValue, s > 0 {
                for i in 0..<px.count { px[i] += s * rng.nextGaussian() }
            }
            if clampsOutput {
                for i in 0..<px.count { px[i] = min(max(px[i], 0), 1) }
            }
        }
        return out
    }
}
