import Tensors

/// Which augmentations a training run applies to each sample, and how strongly.
///
/// `apply` runs, in order: a random flip/quarter-turn, elastic deformation, intensity changes.
/// Random numbers are drawn only from the given generator and in a fixed order, so the same
/// seed always yields the same augmented sample. Cropping is separate (see `PatchCrop`) so that
/// a deformation can be applied before the patch is cut and reach its borders smoothly.
public struct AugmentationPolicy: Sendable, Equatable {
    /// Random horizontal and vertical flips, each with probability ½.
    public var flips: Bool
    /// Random rotation by 0, 90, 180 or 270 degrees (swaps height and width for odd turns).
    public var rotations: Bool
    /// Elastic deformation, or nil for none.
    public var elastic: ElasticDeformation?
    /// Intensity changes to the image, or nil for none.
    public var intensity: IntensityAugmentation?

    /// Creates a policy; every augmentation is off unless given.
    public init(flips: Bool = false, rotations: Bool = false, elastic: ElasticDeformation? = nil,
                intensity: IntensityAugmentation? = nil) {
        self.flips = flips
        self.rotations = rotations
        self.elastic = elastic
        self.intensity = intensity
    }

    /// Flips, quarter turns, elastic deformation (3×3 grid, σ = 10 px) and mild intensity changes.
    public static let `default` = AugmentationPolicy(flips: true, rotations: true, elastic: ElasticDeformation(),
                                                     intensity: IntensityAugmentation())

    /// No augmentation: `apply` returns the sample unchanged.
    public static let none = AugmentationPolicy()

    /// Returns an augmented copy of `sample`, drawing all randomness from `rng`.
    public func apply(to sample: Sample, rng: inout SeededGenerator) -> Sample {
        var out = sample
        if flips || rotations {
            out = DihedralTransform.random(flips: flips, rotations: rotations, rng: &rng).apply(to: out)
        }
        if let elastic { out = elastic.apply(to: out, rng: &rng) }
        if let intensity { out = intensity.apply(to: out, rng: &rng) }
        return out
    }
}
