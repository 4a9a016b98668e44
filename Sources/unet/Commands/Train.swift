import ArgumentParser
import Datasets
import Foundation
import Tensors
import Training

extension OptimizerKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}

/// `unet train`: trains a U-Net on an image folder (the sample in Data/ when none is given).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a U-Net on a dataset folder.",
        discussion: """
        Writes RUN_DIR/last.safetensors (every epoch, and on Ctrl-C), RUN_DIR/best.safetensors (best \
        validation mean IoU), RUN_DIR/metrics.csv and RUN_DIR/curves.png. Resume with \
        --resume RUN_DIR/last.safetensors (the run's options are restored; --epochs/--steps may extend it).

        Exit status: 0 when done; 130 after Ctrl-C (SIGINT) and 143 after SIGTERM, once the \
        current step is finished and last.safetensors is saved (a second Ctrl-C stops at once); \
        1 on an error (bad input, divergence, a failed write), with the file and the reason.
        """)

    @Option(help: "Dataset folder with images/ and masks/ (default: the sample in Data/).")
    var data: String?
    @Option(help: "Images folder (with --masks, instead of --data).")
    var images: String?
    @Option(help: "Masks folder (with --images).")
    var masks: String?
    @Option(name: .customLong("val-data"), help: "Validation dataset folder.")
    var valData: String?
    @Option(name: .customLong("val-fraction"), help: "Fraction held out for validation when there is no --val-data or split.json (default 0.2).")
    var valFraction: Double?
    @Option(name: .customLong("class-map"), help: "classes.json mapping mask colours to classes.")
    var classMap: String?
    @Option(help: "Number of classes (default: inferred from the masks, then checked).")
    var classes: Int?

    @OptionGroup(title: "Model") var model: ModelOptions

    @Option(help: "Epochs (one epoch covers each training image's area about once; default 50).")
    var epochs: Int?
    @Option(help: "Optimizer steps (instead of --epochs).")
    var steps: Int?
    @Option(name: .customLong("batch-size"), help: "Patches per step (default 4).")
    var batchSize: Int?
    @Option(name: .customLong("patch-size"), help: "Input patch side (default: smallest valid size with an output of at least 128).")
    var patchSize: Int?
    @Option(help: "Learning rate (default 1e-3).")
    var lr: Float?
    @Option(help: "Optimizer: sgd, adam or adamw (default adam).")
    var optimizer: OptimizerKind?
    @Option(help: "SGD momentum (default 0.99, as in the paper).")
    var momentum: Float?
    @Option(name: .customLong("weight-decay"), help: "Weight decay (default 0).")
    var weightDecay: Float?
    @Option(help: "Learning-rate schedule: constant, step or cosine (default cosine).")
    var schedule: ScheduleKind?
    @Option(help: "Linear warm-up steps (default 3% of the run, at most 200).")
    var warmup: Int?
    @Option(name: .customLong("clip-norm"), help: "Clip the global gradient norm to this value.")
    var clipNorm: Float?
    @Option(help: "Loss: ce, dice, ce+dice, lovasz (Lovász-softmax, an IoU surrogate) or ce+lovasz (default ce+dice).")
    var loss: LossKind?
    @Option(name: .customLong("class-weights"), help: "Cross-entropy class weights: auto, none or a comma list (default none).")
    var classWeights: String?
    @Flag(name: .customLong("weight-map"), inversion: .prefixedNo, help: "The paper's pixel weight map on the cross-entropy: inverse class frequency plus a border term (w0 = 10, σ = 5 px) between touching objects.")
    var weightMap: Bool?
    @Option(help: "Augmentations to switch off, comma-separated: flips, rotations, elastic, intensity, all.")
    var disable: String?
    @Option(help: "Random seed (default 0).")
    var seed: UInt64?
    @Option(name: .customLong("validate-every"), help: "Validate every N epochs (default 1).")
    var validateEvery: Int?
    @Option(name: .customLong("out"), help: "Run folder (default runs/unet).")
    var out: String?
    @Option(help: "Continue from a training checkpoint (RUN_DIR/last.safetensors).")
    var resume: String?
    @OptionGroup(title: "Compute") var compute: ComputeOptions

    func validate() throws {
        if images != nil && masks == nil || masks != nil && images == nil { throw ValidationError("--images and --masks go together") }
        if data != nil && images != nil { throw ValidationError("give either --data or --images/--masks, not both") }
        if epochs != nil && steps != nil { throw ValidationError("give either --epochs or --steps, not both") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        if let lr, !(lr > 0) { throw ValidationError("--lr must be positive (got \(lr))") }
        if let classes, classes < 2 { throw ValidationError("--classes must be at least 2 (got \(classes))") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1 (got \(epochs))") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if let disable {
            let known: Set = ["flips", "rotations", "elastic", "intensity", "all"]
            for item in disable.split(separator: ",") where !known.contains(String(item)) {
                throw ValidationError("--disable: unknown augmentation '\(item)' (known: \(known.sorted().joined(separator: ", ")))")
            }
        }
        if let w = classWeights, w != "auto", w != "none", parseWeights(w) == nil {
            throw ValidationError("--class-weights must be auto, none or comma-separated positive numbers (got '\(w)')")
        }
        // The weight map's w_c term is the class balance; a second one would silently be ignored.
        if weightMap == true, let w = classWeights, w != "none" {
            throw ValidationError("--weight-map already weights classes (the paper's w_c: inverse class frequency); leave out --class-weights '\(w)'")
        }
        // Dice and Lovász have no per-pixel terms to weight: the weights would silently do nothing.
        if let loss, !loss.includesCrossEntropy {
            if weightMap == true { throw ValidationError("--loss \(loss.rawValue) has no cross-entropy term for --weight-map to weight; use ce, ce+dice or ce+lovasz") }
            if let w = classWeights, w != "none" {
                throw ValidationError("--loss \(loss.rawValue) has no cross-entropy term for --class-weights to weight; use ce, ce+dice or ce+lovasz")
            }
        }
        // The network and patch rules, checked before any work starts.
        if resume == nil {
            let options = try makeOptions()
            let problems = options.problems
            if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        }
    }

    private func parseWeights(_ text: String) -> [Float]? {
        let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! > 0 }) else { return nil }
        return values.map { $0! }
    }

    /// The run's options: defaults (or the resumed run's), then the flags given.
    func makeOptions(base: TrainingOptions = TrainingOptions()) throws -> TrainingOptions {
        var o = base
        if let data { o.dataRoot = data; o.imagesDirectory = nil; o.masksDirectory = nil }
        if let images, let masks { o.imagesDirectory = images; o.masksDirectory = masks; o.dataRoot = nil }
        if o.dataRoot == nil && o.imagesDirectory == nil {
            guard let sample = SampleData.locate() else {
                throw ValidationError("no --data given and the sample dataset \(SampleData.relative) was not found")
            }
            o.dataRoot = sample
        }
        if let valData { o.validationRoot = valData }
        if let valFraction { o.validationFraction = valFraction }
        if let classMap { o.classMapPath = classMap }
        o.model = model.apply(to: o.model)
        if let classes { o.model.classes = classes }
        if let epochs { o.epochs = epochs; o.steps = nil }
        if let steps { o.steps = steps; o.epochs = nil }
        if let batchSize { o.batchSize = batchSize }
        if let patchSize { o.patchSize = patchSize }
        if let lr { o.learningRate = lr }
        if let optimizer { o.optimizer = optimizer }
        if let momentum { o.momentum = momentum }
        if let weightDecay { o.weightDecay = weightDecay }
        if let schedule { o.schedule = schedule }
        if let warmup { o.warmupSteps = warmup }
        if let clipNorm { o.clipNorm = clipNorm }
        if let loss { o.loss = loss }
        if let w = classWeights { o.classWeights = w == "auto" ? .auto : w == "none" ? .none : .fixed(parseWeights(w) ?? []) }
        if let weightMap { o.weightMap = weightMap }
        if let disable {
            let off = Set(disable.split(separator: ",").map(String.init))
            let all = off.contains("all")
            if all || off.contains("flips") { o.flips = false }
            if all || off.contains("rotations") { o.rotations = false }
            if all || off.contains("elastic") { o.elastic = false }
            if all || off.contains("intensity") { o.intensity = false }
        }
        if let seed { o.seed = seed }
        if let validateEvery { o.validateEvery = validateEvery }
        if let out { o.outputDirectory = out }
        if let t = compute.threads { o.threads = t }
        return o
    }

    func run() throws {
        StopSignal.install()
        let trainer: Trainer
        if let resume {
            let checkpoint = try Checkpoint.read(from: resume)
            guard let stored = checkpoint.runOptions else {
                throw ValidationError("\(resume): this checkpoint has no training state (resume from RUN_DIR/last.safetensors)")
            }
            trainer = try Trainer(options: try makeOptions(base: stored), inferClasses: false, resume: checkpoint)
            print("resuming \(resume) at step \(trainer.state.step) of \(trainer.totalSteps)")
        } else {
            trainer = try Trainer(options: try makeOptions(), inferClasses: classes == nil)
        }
        let start = Date()
        let outcome = try trainer.run()
        let seconds = Date().timeIntervalSince(start)
        if outcome == .finished {
            print(String(format: "done in %.1f s: %@ (best epoch %@, validation mean IoU %@); last: %@", seconds,
                         trainer.bestPath, trainer.state.bestEpoch.map(String.init) ?? "-",
                         trainer.state.bestMeanIoU.map { String(format: "%.4f", $0) } ?? "-", trainer.lastPath))
            print(String(format: "data pipeline: the compute loop waited %.2f s for batches (%.1f%% of %.1f s computing)",
                         trainer.dataWaitSeconds, 100 * trainer.dataWaitSeconds / max(trainer.computeSeconds, 1e-9), trainer.computeSeconds))
        } else {
            throw ExitCode(StopSignal.exitCode)
        }
    }
}
