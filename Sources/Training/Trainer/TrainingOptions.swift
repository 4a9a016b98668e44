import Datasets
import NN
import Tensors

/// Everything that defines a training run. Stored in the run's checkpoints so that
/// `--resume` continues the same run.
public struct TrainingOptions: Codable, Equatable, Sendable {
    /// Training data: a folder with images/ and masks/, or explicit folders.
    public var dataRoot: String?
    public var imagesDirectory: String?
    public var masksDirectory: String?
    /// Validation data folder; when absent a split of the training data (see `validationFraction`).
    public var validationRoot: String?
    /// Fraction of images held out for validation when no validation folder or split.json is given.
    public var validationFraction: Double = 0.2
    /// A colour → class map (classes.json) for RGB masks.
    public var classMapPath: String?

    public var model = UNetConfiguration.defaultForTraining
    /// Stop after this many epochs (one epoch covers each training image's area about once) …
    public var epochs: Int?
    /// … or after this many optimizer steps (takes precedence).
    public var steps: Int?
    public var batchSize = 4
    /// Side of the input patches; the masks are cropped to the network's output window.
    public var patchSize: Int?
    public var learningRate: Float = 1e-3
    public var optimizer = OptimizerKind.adam
    public var momentum: Float = 0.99
    public var weightDecay: Float = 0
    public var schedule = ScheduleKind.cosine
    /// Linear warm-up steps (nil: 3% of the run, at most 200).
    public var warmupSteps: Int?
    public var clipNorm: Float?
    public var loss = LossKind.ceDice
    public var classWeights = ClassWeighting.none
    /// The paper's border weight map (w0 = 10, σ = 5 px) on the cross-entropy.
    public var weightMap = false
    /// Augmentation switches.
    public var flips = true
    public var rotations = true
    public var elastic = true
    public var intensity = true
    public var seed: UInt64 = 0
    public var threads: Int?
    public var outputDirectory = "runs/unet"
    /// Validate (and write metrics, curves, best checkpoint) every this many epochs.
    public var validateEvery = 1
    /// How inputs are normalised (nil: `.dataset`, the mean/std estimate; older runs have none).
    public var normalization: InputNormalization.Scheme?
    /// The plan these options started from (`unet train --plan`), kept with the run.
    public var plan: TrainingPlan?
    /// Which batch-norm statistics validation and the saved models use (nil: `.running`).
    public var batchNormStatistics: BatchNormStatistics?
    /// With several ranks, batch norm uses the statistics of the global batch (all ranks'
    /// shards) instead of each rank's shard (nil, the default, as older runs: per rank).
    public var syncBatchNorm: Bool?
    /// How often each training image is drawn per epoch (nil, older runs: every image as often
    /// as the first image's area asks).
    public var sampling: PatchSampling? = .image
    /// The share of patches placed on a pixel of a rare class (nil or 0: none); see
    /// `Trainer.focusClasses`.
    public var oversample: Double?
    /// Validate and save an exponential moving average of the weights (and batch-norm
    /// statistics) instead of the last step's (nil, older runs: off); see `WeightAverage`.
    public var averageWeights: Bool? = true

    public init() {}

    /// These options with the plan's choices (the command line's explicit options are applied
    /// after, and win).
    public func applying(_ plan: TrainingPlan) -> TrainingOptions {
        var o = self
        o.plan = plan
        o.normalization = plan.normalizationScheme
        o.model.depth = plan.depth
        o.model.baseWidth = plan.width
        o.patchSize = plan.patchSize
        o.batchSize = plan.batchSize
        o.loss = plan.loss
        (o.flips, o.rotations, o.elastic, o.intensity) = (plan.flips, plan.rotations, plan.elastic, plan.intensity)
        if let steps = plan.steps {
            o.steps = steps
            o.epochs = nil
        }
        if let sampling = plan.sampling { o.sampling = sampling }
        if let oversample = plan.oversample { o.oversample = oversample }
        return o
    }
}

/// Class weights for the cross-entropy.
public enum ClassWeighting: Codable, Equatable, Sendable {
    case none
    /// Inverse class frequency over the training masks, normalised to mean 1, clipped to [0.1, 10].
    case auto
    case fixed([Float])
}

/// Which batch-norm statistics evaluation uses.
public enum BatchNormStatistics: String, Codable, CaseIterable, Sendable {
    /// The running averages kept during training (momentum 0.1), as PyTorch.
    case running
    /// Recomputed at each epoch's end as the plain average over the epoch's last batches
    /// (`Trainer.statisticsBatches` of them) under the final weights.
    case recomputed
}

/// Learning-rate schedule shapes.
public enum ScheduleKind: String, Codable, CaseIterable, Sendable {
    case constant, step, cosine
}

extension UNetConfiguration {
    /// The tool's default network: the paper's depth and valid padding, residual blocks, width 32.
    public static var defaultForTraining: UNetConfiguration {
        var c = UNetConfiguration()
        c.baseWidth = 32
        return c
    }
}

extension TrainingOptions {
    public static let maximumEpochs = 1_000_000
    public static let maximumSteps = 1 << 40

    /// Problems with the options, in words, found before any work starts.
    public var problems: [String] {
        var p = model.problems
        if batchSize < 1 { p.append("batch size must be at least 1 (got \(batchSize))") }
        if !(learningRate > 0) || !learningRate.isFinite { p.append("learning rate must be positive (got \(learningRate))") }
        // Bounds keep epochs × steps per epoch far from overflow (and runs within centuries).
        if let e = epochs, !(1...TrainingOptions.maximumEpochs).contains(e) {
            p.append("epochs must be between 1 and \(TrainingOptions.maximumEpochs) (got \(e))")
        }
        if let s = steps, !(1...TrainingOptions.maximumSteps).contains(s) {
            p.append("steps must be between 1 and \(TrainingOptions.maximumSteps) (got \(s))")
        }
        if !(validationFraction >= 0 && validationFraction < 1) { p.append("validation fraction must be in [0, 1) (got \(validationFraction))") }
        if validateEvery < 1 { p.append("validate-every must be at least 1") }
        if let t = threads, let problem = ComputeThreads.problem(with: t) { p.append(problem) }
        if let c = clipNorm, !(c > 0) { p.append("clip norm must be positive (got \(c))") }
        if weightDecay < 0 { p.append("weight decay must not be negative (got \(weightDecay))") }
        if let size = patchSize, let problem = problems(patch: size) { p.append(problem) }
        if let share = oversample, !(share >= 0 && share <= 1) { p.append("oversample must be in [0, 1] (got \(share))") }
        if let scheme = normalization {
            p += InputNormalization(mean: [0], std: [1], scheme: scheme).problems(channels: 1).map { "normalization \($0.field) \($0.problem)" }
        }
        if weightMap, classWeights != .none {
            p.append("the border weight map already weights classes (inverse frequency); class weights cannot be added to it")
        }
        if !loss.includesCrossEntropy, weightMap || classWeights != .none {
            p.append("the \(loss.rawValue) loss has no cross-entropy term for class weights or the weight map to weight; use ce, ce+dice or ce+lovasz")
        }
        return p
    }

    /// Why a patch size does not fit the network, with the sizes that would.
    func problems(patch size: Int) -> String? {
        if model.problems.isEmpty == false { return nil }
        if model.isValidInput(size) { return nil }
        let near = model.nearestValidInput(to: size)
        if model.padding == .valid && size < model.minimumInput {
            return "patch size \(size) is too small for depth \(model.depth) with valid padding: the smallest valid input is \(model.minimumInput) (output \(model.outputSize(forInput: model.minimumInput)!))"
        }
        return "patch size \(size) is not a valid input size for this network; the nearest valid size is \(near)"
    }

    /// The patch size used: the one given, or the smallest valid input whose output is at least 128
    /// (same padding: 256).
    public var effectivePatchSize: Int {
        if let p = patchSize { return p }
        return model.padding == .valid ? model.inputSize(forOutputAtLeast: 128) : model.nearestValidInput(to: 256)
    }
}
