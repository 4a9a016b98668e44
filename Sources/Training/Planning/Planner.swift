import Datasets
import NN

/// Derives a `TrainingPlan` from a dataset's fingerprint by fixed rules (none of them fitted to
/// one dataset), measuring step times on this machine for the network sizes it considers.
public struct Planner {
    /// What one training step of a candidate costs on this machine.
    public struct StepCost: Sendable {
        public var seconds: Double
        /// Peak resident memory of the process while training, in bytes.
        public var peakBytes: Double
        public init(seconds: Double, peakBytes: Double) {
            self.seconds = seconds
            self.peakBytes = peakBytes
        }
    }

    /// The training time to plan for; nil: no budget, so the width and the run's length stay the
    /// defaults and nothing is measured.
    public var budgetSeconds: Double?
    public var memoryBytes: Double
    /// Measures a candidate (configuration, patch size, batch size); nil when it cannot run.
    public var measure: (UNetConfiguration, Int, Int) throws -> StepCost?

    /// Widths considered, narrowest first.
    public static let widths = [16, 32, 64]
    /// A run shorter than this many steps is where the defaults were seen to still improve
    /// (2000 steps of 4 patches is the reference recipe's budget): a wider network is only
    /// chosen when the budget still allows this many of its steps.
    public static let minimumSteps = 2000
    /// The share of the budget left for validation, checkpoints and start-up.
    public static let overhead = 0.1
    public static let batchSize = 4
    /// A class with a smaller share of the training pixels is rare: Dice joins the loss and
    /// patches are oversampled on it.
    public static let rareShare = 0.1
    /// The share of patches placed on a rare class when there is one (a third, as nnU-Net's
    /// foreground oversampling).
    public static let rareOversampling = 1.0 / 3
    /// Images whose areas differ more than this (10th to 90th percentile) are drawn in
    /// proportion to their area.
    public static let areaSamplingRatio = 4.0

    public init(budgetSeconds: Double?, memoryBytes: Double, measure: @escaping (UNetConfiguration, Int, Int) throws -> StepCost?) {
        self.budgetSeconds = budgetSeconds
        self.memoryBytes = memoryBytes
        self.measure = measure
    }

    public func plan(_ f: DatasetFingerprint, base: UNetConfiguration = .defaultForTraining) throws -> TrainingPlan {
        var decisions: [TrainingPlan.Decision] = []
        func decide(_ field: String, _ value: String, _ reason: String) { decisions.append(.init(field: field, value: value, reason: reason)) }

        // Normalisation: dataset statistics only suit a homogeneous set in a narrow range.
        let (normalize, percentiles, why) = Self.normalization(f)
        decide("normalize", normalize == "percentile" ? "percentile \(percentiles![0]),\(percentiles![1])" : "dataset", why)

        // Depth and patch: enough context for the large objects, within the images.
        let object = f.largeObjectDiameter
        let smallSide = min(f.heights.median, f.widths.median)
        var configuration = base
        configuration.inputChannels = f.channels
        configuration.classes = f.classes.count
        let (depth, depthWhy) = Self.depth(objectDiameter: object, smallSide: smallSide, base: base)
        configuration.depth = depth
        decide("depth", "\(depth)", depthWhy)
        let (patch, patchWhy) = Self.patchSize(objectDiameter: object, smallSide: smallSide, configuration: configuration)
        decide("patch-size", "\(patch)", patchWhy)

        // Loss: Dice's per-class normalisation where a class is rare.
        let rare = f.classes.filter { $0.pixelShare < Self.rareShare }
        let loss: LossKind = rare.isEmpty ? .ce : .ceDice
        decide("loss", loss.rawValue, rare.isEmpty
               ? "every class holds at least 10% of the pixels: plain cross-entropy"
               : "class(es) \(rare.map { String($0.index) }.joined(separator: ", ")) hold under 10% of the pixels; Dice weighs classes equally")

        // Sampling: every image equally often, unless their sizes differ so much that small
        // images would be drawn over and over while large ones are barely covered.
        let sampling: PatchSampling, samplingWhy: String
        let areaRatio = f.heights.p90 * f.widths.p90 / max(f.heights.p10 * f.widths.p10, 1)
        if areaRatio > Self.areaSamplingRatio {
            sampling = .area
            samplingWhy = String(format: "image areas differ %.0f× (10th to 90th percentile): each image in proportion to its area", areaRatio)
        } else {
            sampling = .image
            samplingWhy = String(format: "image areas within %.1f× of each other: each image equally often", max(areaRatio, 1))
        }
        decide("sampling", sampling.rawValue, samplingWhy)
        let oversample = rare.isEmpty ? 0 : Self.rareOversampling
        decide("oversample", rare.isEmpty ? "0" : String(format: "%.2f", oversample), rare.isEmpty
               ? "no rare class: every patch placed uniformly"
               : "a third of the patches placed on a pixel of class(es) \(rare.map { String($0.index) }.joined(separator: ", "))")

        // Augmentation: flips and quarter turns are label-preserving for any 2-D image; intensity
        // jitter where images differ in brightness; elastic deformation (the U-Net paper's) as
        // long as the patch output sees whole objects — deforming a layout larger than the
        // patch changes its meaning more than its shape.
        let output = configuration.outputSize(forInput: patch) ?? patch
        let spread = f.intensities.map(\.betweenImageSpread).max() ?? 0
        let intensity = spread > 0.05
        let elastic = object <= Double(output)
        decide("flips, rotations", "on", "a 2-D image has no preferred orientation")
        decide("intensity", intensity ? "on" : "off", intensity
               ? String(format: "image brightness varies between images (spread %.2f)", spread)
               : String(format: "images share one brightness (spread %.2f)", spread))
        decide("elastic", elastic ? "on" : "off", elastic
               ? String(format: "the patch output (%d px) holds whole objects (%.0f px)", output, object)
               : String(format: "objects (%.0f px) are larger than the patch output (%d px)", object, output))

        // Width, batch and steps.
        let (width, batch, steps, stepSeconds) = try size(configuration, patch: patch, base: base, decide: decide)
        return TrainingPlan(fingerprint: f, normalize: normalize, percentiles: percentiles, depth: depth, width: width,
                            patchSize: patch, batchSize: batch, loss: loss, flips: true, rotations: true, elastic: elastic,
                            intensity: intensity, steps: steps, budgetSeconds: budgetSeconds,
                            measuredStepSeconds: stepSeconds, decisions: decisions, sampling: sampling, oversample: oversample)
    }

    /// Without a budget, the default width and batch and the run's own length (nothing timed).
    /// With one, the widest network that still gets `minimumSteps` steps within the budget and
    /// fits the memory, from step times measured here, and the steps that fill the budget.
    func size(_ configuration: UNetConfiguration, patch: Int, base: UNetConfiguration,
              decide: (String, String, String) -> Void) throws -> (width: Int, batch: Int, steps: Int?, stepSeconds: Double?) {
        guard let budgetSeconds else {
            decide("width", "\(base.baseWidth)", "no time budget given: the default (--budget fits width and steps to a time)")
            decide("batch-size", "\(Self.batchSize)", "the default")
            decide("steps", "default", "no time budget given: the run's default length")
            return (base.baseWidth, Self.batchSize, nil, nil)
        }
        let available = budgetSeconds * (1 - Self.overhead)
        var chosen: (width: Int, batch: Int, cost: StepCost)?
        var measured: [String] = []
        for width in Self.widths {
            var candidate = configuration
            candidate.baseWidth = width
            var batch = Self.batchSize
            var cost = try measure(candidate, patch, batch)
            while let c = cost, c.peakBytes > memoryBytes, batch > 1 {
                batch /= 2
                cost = try measure(candidate, patch, batch)
            }
            guard let c = cost, c.peakBytes <= memoryBytes else {
                measured.append("width \(width): does not fit the memory")
                break
            }
            measured.append(String(format: "width %d: %.2f s/step", width, c.seconds))
            if chosen == nil || available / c.seconds >= Double(Self.minimumSteps) { chosen = (width, batch, c) } else { break }
        }
        let width = chosen?.width ?? Self.widths[0], batch = chosen?.batch ?? 1
        let steps = chosen.map { Self.steps(filling: available, at: $0.cost.seconds) } ?? Self.minimumSteps
        decide("width", "\(width)", measured.joined(separator: "; ") + (chosen == nil ? "; nothing measured, the narrowest" : ""))
        decide("batch-size", "\(batch)", batch == Self.batchSize ? "the default" : "the largest that fits the memory")
        decide("steps", "\(steps)", chosen.map { String(format: "%.0f s of the budget at %.2f s/step", available, $0.cost.seconds) }
               ?? "no measured step time; the reference budget")
        return (width, batch, steps, chosen?.cost.seconds)
    }

    /// Whole steps of `stepSeconds` in `seconds`, at least 1 and at most a run's maximum (a step
    /// timed at 0 s must not become an infinite, untypable count).
    static func steps(filling seconds: Double, at stepSeconds: Double) -> Int {
        let steps = seconds / stepSeconds
        guard steps.isFinite || steps == .infinity else { return 1 }
        return max(1, Int(min(steps.rounded(.down), Double(TrainingOptions.maximumSteps))))
    }

    /// Percentile normalisation per image when the images are 16-bit or float, heavy-tailed, or
    /// differ in brightness; dataset statistics otherwise.
    static func normalization(_ f: DatasetFingerprint) -> (String, [Float]?, String) {
        let percentile: [Float] = [1, 99.8]
        if f.bitDepth > 8 { return ("percentile", percentile, "\(f.bitDepth)-bit images: a per-image range, not a fixed one") }
        for (c, i) in f.intensities.enumerated() {
            if i.betweenImageSpread > 0.5 || i.outlyingImageShare > 0.2 {
                return ("percentile", percentile, String(format: "channel %d: images differ in brightness (spread %.2f, %.0f%% outlying)",
                                                         c, i.betweenImageSpread, 100 * i.outlyingImageShare))
            }
            if i.tailRatio > 3 {
                return ("percentile", percentile, String(format: "channel %d: a few very bright pixels (tail ratio %.1f)", c, i.tailRatio))
            }
        }
        return ("dataset", nil, "homogeneous 8-bit images: one mean and std for all")
    }

    /// One level deeper than the default when the large objects outgrow its receptive field,
    /// one shallower when the images are too small for its patches.
    static func depth(objectDiameter: Double, smallSide: Double, base: UNetConfiguration) -> (Int, String) {
        var c = base
        let rf = c.receptiveField
        if Double(c.minimumInput) > smallSide && c.depth > 2 {
            c.depth -= 1
            return (c.depth, String(format: "images (%.0f px) are smaller than depth %d's smallest input (%d px)", smallSide, base.depth, base.minimumInput))
        }
        if objectDiameter > Double(rf) && c.depth < 5 {
            c.depth += 1
            if Double(c.inputSize(forOutputAtLeast: 64)) <= smallSide * 1.5 {
                return (c.depth, String(format: "large objects (%.0f px) exceed depth %d's receptive field (%d px)", objectDiameter, base.depth, rf))
            }
        }
        return (base.depth, String(format: "receptive field %d px covers the large objects (%.0f px)", rf, objectDiameter))
    }

    /// Output side at least 128 and twice the large objects' diameter, at most the typical
    /// image's shorter side (rounded to a size valid for the network).
    static func patchSize(objectDiameter: Double, smallSide: Double, configuration c: UNetConfiguration) -> (Int, String) {
        let wanted = max(128, Int((2 * objectDiameter).rounded(.up)))
        let limit = max(Int(smallSide), 1)
        if c.padding == .valid {
            var patch = c.inputSize(forOutputAtLeast: min(wanted, limit))
            if (c.outputSize(forInput: patch) ?? 0) > limit {
                // The largest valid input whose output still fits the image (or the smallest one).
                var n = c.minimumInput
                patch = n
                while n < 100_000 {
                    n += 1
                    guard let out = c.outputSize(forInput: n) else { continue }
                    if out > limit { break }
                    patch = n
                }
            }
            let out = c.outputSize(forInput: patch) ?? 0
            return (patch, wanted <= limit
                    ? String(format: "output %d px: at least 128 and twice the large objects (%.0f px)", out, objectDiameter)
                    : String(format: "output %d px: the images' shorter side (%.0f px) limits it", out, smallSide))
        }
        let patch = c.nearestValidInput(to: min(max(256, wanted), max(limit, c.minimumInput)))
        return (patch, "same padding: the input is the output")
    }
}
