import ArgumentParser
import Datasets
import Foundation
import MessagePassing
import Tensors
import Training

extension OptimizerKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension BatchNormStatistics: ExpressibleByArgument {}
extension PatchSampling: ExpressibleByArgument {}

/// `--normalize`: how training inputs are normalised (stored in the checkpoint).
enum NormalizationChoice: String, ExpressibleByArgument, CaseIterable {
    case dataset, percentile
}

/// `unet train`: trains a U-Net on an image folder (the sample in Data/ when none is given).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a U-Net on a dataset folder.",
        discussion: """
        Writes RUN_DIR/last.safetensors (every epoch, and on Ctrl-C), RUN_DIR/best.safetensors (best \
        validation mean IoU), RUN_DIR/metrics.csv and RUN_DIR/curves.png. A folder that holds \
        another run is refused unless --overwrite is given; a folder used by another unet process \
        is refused.

        Resume with --resume RUN_DIR/last.safetensors: the run continues in the folder that holds \
        the checkpoint (or in --out, which then gets the run's metrics and best checkpoint too), \
        with the run's options restored. Only these may be given anew: --epochs or --steps (to \
        extend the run), --out, --threads, --workers, --precision (not stored: give it again to continue in bf16), \
        --validate-every, --sync-batchnorm, and the data's location (--data, \
        --images/--masks, --val-data, --class-map: the same data, moved; it must fit the model). \
        Any other option that differs from the run's is refused, naming it.

        Several processes: `mpirun -np N unet train …` (or srun with an MPI plugin) trains one \
        model on N ranks. --batch-size is each rank's batch (the global batch is N times it); \
        gradients are averaged over the ranks; only rank 0 writes the run folder and prints. A \
        rank that fails stops every rank, naming itself and the cause. A run may be resumed with \
        another number of ranks.

        Exit status: 0 when done; 130 after Ctrl-C (SIGINT) and 143 after SIGTERM, once the \
        current step is finished and last.safetensors is saved (a second Ctrl-C stops at once); \
        1 on an error (bad input, divergence, a failed write), with the file and the reason.
        """)

    @OptionGroup(title: "Data") var dataOptions: DataOptions
    @OptionGroup(title: "Model") var model: ModelOptions

    @Option(parsing: .unconditional, help: "Epochs (one epoch covers each training image's area about once; default 50).")
    var epochs: Int?
    @Option(parsing: .unconditional, help: "Optimizer steps (instead of --epochs).")
    var steps: Int?
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Patches per step (default 4).")
    var batchSize: Int?
    @Option(name: .customLong("patch-size"), parsing: .unconditional, help: "Input patch side (default: smallest valid size with an output of at least 128).")
    var patchSize: Int?
    @Option(parsing: .unconditional, help: "Learning rate (default 1e-3).")
    var lr: Float?
    @Option(help: "Optimizer: sgd, adam or adamw (default adam).")
    var optimizer: OptimizerKind?
    @Option(parsing: .unconditional, help: "SGD momentum (default 0.99, as in the paper).")
    var momentum: Float?
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "Weight decay (default 0).")
    var weightDecay: Float?
    @Option(help: "Learning-rate schedule: constant, step or cosine (default cosine).")
    var schedule: ScheduleKind?
    @Option(parsing: .unconditional, help: "Linear warm-up steps (default 3% of the run, at most 200).")
    var warmup: Int?
    @Option(name: .customLong("clip-norm"), parsing: .unconditional, help: "Clip the global gradient norm to this value.")
    var clipNorm: Float?
    @Option(help: "Loss: ce, dice, ce+dice, lovasz (Lovász-softmax, an IoU surrogate) or ce+lovasz (default ce+dice).")
    var loss: LossKind?
    @Option(name: .customLong("class-weights"), parsing: .unconditional, help: "Cross-entropy class weights: auto, none or a comma list (default none).",
            transform: ClassWeightsArgument.parse)
    var classWeights: ClassWeighting?
    @Flag(name: .customLong("weight-map"), inversion: .prefixedNo, help: "The paper's pixel weight map on the cross-entropy: inverse class frequency plus a border term (w0 = 10, σ = 5 px) between touching objects.")
    var weightMap: Bool?
    @Option(help: "Input normalisation: dataset (mean/std of the training images, the default) or percentile (per image, see --percentiles).")
    var normalize: NormalizationChoice?
    @Option(parsing: .unconditional, help: "Low and high percentiles for --normalize percentile, mapped to 0 and 1 per image and channel (default 1,99.8).",
            transform: PercentileBounds.parse)
    var percentiles: PercentileBounds?
    @Option(help: "Augmentations to switch off, comma-separated: flips, rotations, elastic, intensity, all.", transform: DisabledAugmentations.parse)
    var disable: DisabledAugmentations?
    @Option(parsing: .unconditional, help: "Random seed (default 0).")
    var seed: UInt64?
    @Option(name: .customLong("validate-every"), parsing: .unconditional, help: "Validate every N epochs (default 1).")
    var validateEvery: Int?
    @Option(name: .customLong("out"), help: "Run folder (default runs/unet).")
    var out: String?
    @Option(help: ArgumentHelp("Continue from a training checkpoint (RUN_DIR/last.safetensors); the run's options are restored, and only "
                               + Train.changeableOnResume.joined(separator: ", ") + " may be given anew."))
    var resume: String?
    @Flag(help: "Replace the run that --out holds (its checkpoints, metrics and curves are deleted).")
    var overwrite = false
    @Option(help: "Start from a plan written by unet plan (options given here win over its choices).")
    var plan: String?
    @Flag(name: .customLong("no-plan"), help: "Use the fixed defaults instead of a plan made from the data.")
    var noPlan = false
    @Option(help: "Without --plan: fit the network width and the number of steps to this training time (90s, 45m, 2h), timing steps on this machine.",
            transform: Duration.parse)
    var budget: Duration?
    @Option(parsing: .unconditional, help: "Memory for training, in MiB: the run's estimated memory must fit it (default: this machine's), and --budget plans within it (default there: half of this machine's).")
    var memory: Int?
    @Option(help: "How often each image is drawn: image (each equally often) or area (in proportion to its area).")
    var sampling: PatchSampling?
    @Option(parsing: .unconditional, help: "Share of patches placed on a pixel of a rare class (under 10% of the pixels), 0 to 1.")
    var oversample: Double?
    @Flag(name: .customLong("ema"), inversion: .prefixedNo, help: "Validate and save an exponential moving average of the weights (default on).")
    var ema: Bool?
    @Option(name: .customLong("bn-stats"), help: "Batch-norm statistics for validation and the saved models: running (training's running averages, default) or recomputed (averaged over the epoch's last 16 batches under the final weights).")
    var bnStats: BatchNormStatistics?
    @Flag(name: .customLong("sync-batchnorm"), inversion: .prefixedNo, help: "With several ranks (mpirun, srun), normalise with the batch-norm statistics of the global batch, all ranks' patches together (default: each rank's own).")
    var syncBatchNorm: Bool?
    @Option(parsing: .unconditional, help: "Threads decoding and augmenting batches ahead of the step (default: 1 on the CPU, whose cores compute; on a GPU the cores less two, at most 8). The batches are the same whatever the number.")
    var workers: Int?
    @OptionGroup(title: "Compute") var compute: ComputeOptions

    func validate() throws {
        if epochs != nil && steps != nil { throw ValidationError("give either --epochs or --steps, not both") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number (got \(lr))") }
        for (flag, value) in [("--momentum", momentum), ("--weight-decay", weightDecay), ("--clip-norm", clipNorm)] {
            if let value, !value.isFinite { throw ValidationError("\(flag) must be a finite number (got \(value))") }
        }
        if let momentum, !(0..<1).contains(momentum) { throw ValidationError("--momentum must be in [0, 1) (got \(momentum))") }
        if let weightDecay, weightDecay < 0 { throw ValidationError("--weight-decay must not be negative (got \(weightDecay))") }
        if let clipNorm, !(clipNorm > 0) { throw ValidationError("--clip-norm must be positive (got \(clipNorm))") }
        if let warmup, warmup < 0 { throw ValidationError("--warmup must not be negative (got \(warmup))") }
        if let workers, !(1...Trainer.maximumDataWorkers).contains(workers) {
            throw ValidationError("--workers must be between 1 and \(Trainer.maximumDataWorkers) (got \(workers))")
        }
        if let validateEvery, validateEvery < 1 { throw ValidationError("--validate-every must be at least 1 (got \(validateEvery))") }
        if let patchSize, patchSize < 1 { throw ValidationError("--patch-size must be positive (got \(patchSize))") }
        if let epochs, !(1...TrainingOptions.maximumEpochs).contains(epochs) {
            throw ValidationError("--epochs must be between 1 and \(TrainingOptions.maximumEpochs) (got \(epochs))")
        }
        if let steps, !(1...TrainingOptions.maximumSteps).contains(steps) {
            throw ValidationError("--steps must be between 1 and \(TrainingOptions.maximumSteps) (got \(steps))")
        }
        if percentiles != nil && normalize != .percentile {
            throw ValidationError("--percentiles goes with --normalize percentile")
        }
        // The weight map's w_c term is the class balance; a second one would silently be ignored.
        if weightMap == true, let w = classWeights, w != .none {
            throw ValidationError("--weight-map already weights classes (the paper's w_c: inverse class frequency); leave out --class-weights '\(ClassWeightsArgument.text(w))'")
        }
        // Dice and Lovász have no per-pixel terms to weight: the weights would silently do nothing.
        if let loss, !loss.includesCrossEntropy {
            if weightMap == true { throw ValidationError("--loss \(loss.rawValue) has no cross-entropy term for --weight-map to weight; use ce, ce+dice or ce+lovasz") }
            if let w = classWeights, w != .none {
                throw ValidationError("--loss \(loss.rawValue) has no cross-entropy term for --class-weights to weight; use ce, ce+dice or ce+lovasz")
            }
        }
        if resume != nil && plan != nil {
            throw ValidationError("--plan starts a run; a resumed run keeps the plan it started with")
        }
        if noPlan && plan != nil { throw ValidationError("give either --plan or --no-plan, not both") }
        if budget != nil && (plan != nil || noPlan || resume != nil) {
            throw ValidationError("--budget plans a new run from the data; it does not go with \(plan != nil ? "--plan (its budget is planned already)" : noPlan ? "--no-plan" : "--resume")")
        }
        if let memory, memory < 64 { throw ValidationError("--memory must be at least 64 MiB (got \(memory))") }
        if let oversample, !(oversample >= 0 && oversample <= 1) { throw ValidationError("--oversample must be in [0, 1] (got \(oversample))") }
        if resume != nil && overwrite && out == nil {
            throw ValidationError("--overwrite with --resume needs --out: resuming continues the run in its own folder")
        }
        // The network and patch rules, checked before any work starts.
        if resume == nil {
            let options = try makeOptions(plan: try plan.map { try PlanFile.read($0, lengthGiven: steps != nil || epochs != nil) })
            // Memory first: a patch of 10^9 is beyond any machine, whatever size is valid near it.
            try checkMemory(options)
            let problems = options.problems
            if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        }
    }

}
