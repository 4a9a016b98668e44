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

    @Option(help: "Dataset folder with images/ and masks/ (default: the sample in Data/).")
    var data: String?
    @Option(help: "Images folder (with --masks, instead of --data).")
    var images: String?
    @Option(help: "Masks folder (with --images).")
    var masks: String?
    @Option(name: .customLong("val-data"), help: "Validation dataset folder.")
    var valData: String?
    @Option(name: .customLong("val-fraction"), parsing: .unconditional, help: "Fraction held out for validation when there is no --val-data or split.json (default 0.2).")
    var valFraction: Double?
    @Option(name: .customLong("class-map"), help: "classes.json mapping mask colours to classes.")
    var classMap: String?
    @Option(parsing: .unconditional, help: "Number of classes (default: inferred from the masks, then checked).")
    var classes: Int?

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
    @Option(name: .customLong("class-weights"), parsing: .unconditional, help: "Cross-entropy class weights: auto, none or a comma list (default none).")
    var classWeights: String?
    @Flag(name: .customLong("weight-map"), inversion: .prefixedNo, help: "The paper's pixel weight map on the cross-entropy: inverse class frequency plus a border term (w0 = 10, σ = 5 px) between touching objects.")
    var weightMap: Bool?
    @Option(help: "Input normalisation: dataset (mean/std of the training images, the default) or percentile (per image, see --percentiles).")
    var normalize: NormalizationChoice?
    @Option(parsing: .unconditional, help: "Low and high percentiles for --normalize percentile, mapped to 0 and 1 per image and channel (default 1,99.8).")
    var percentiles: String?
    @Option(help: "Augmentations to switch off, comma-separated: flips, rotations, elastic, intensity, all.")
    var disable: String?
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
        if images != nil && masks == nil || masks != nil && images == nil { throw ValidationError("--images and --masks go together") }
        if data != nil && images != nil { throw ValidationError("give either --data or --images/--masks, not both") }
        if epochs != nil && steps != nil { throw ValidationError("give either --epochs or --steps, not both") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number (got \(lr))") }
        for (flag, value) in [("--momentum", momentum), ("--weight-decay", weightDecay), ("--clip-norm", clipNorm)] {
            if let value, !value.isFinite { throw ValidationError("\(flag) must be a finite number (got \(value))") }
        }
        if let momentum, !(0..<1).contains(momentum) { throw ValidationError("--momentum must be in [0, 1) (got \(momentum))") }
        if let weightDecay, weightDecay < 0 { throw ValidationError("--weight-decay must not be negative (got \(weightDecay))") }
        if let clipNorm, !(clipNorm > 0) { throw ValidationError("--clip-norm must be positive (got \(clipNorm))") }
        if let valFraction, !(valFraction >= 0 && valFraction < 1) { throw ValidationError("--val-fraction must be in [0, 1) (got \(valFraction))") }
        if let warmup, warmup < 0 { throw ValidationError("--warmup must not be negative (got \(warmup))") }
        if let workers, !(1...Trainer.maximumDataWorkers).contains(workers) {
            throw ValidationError("--workers must be between 1 and \(Trainer.maximumDataWorkers) (got \(workers))")
        }
        if let validateEvery, validateEvery < 1 { throw ValidationError("--validate-every must be at least 1 (got \(validateEvery))") }
        if let patchSize, patchSize < 1 { throw ValidationError("--patch-size must be positive (got \(patchSize))") }
        if let classes, classes < 2 { throw ValidationError("--classes must be at least 2 (got \(classes))") }
        if let epochs, !(1...TrainingOptions.maximumEpochs).contains(epochs) {
            throw ValidationError("--epochs must be between 1 and \(TrainingOptions.maximumEpochs) (got \(epochs))")
        }
        if let steps, !(1...TrainingOptions.maximumSteps).contains(steps) {
            throw ValidationError("--steps must be between 1 and \(TrainingOptions.maximumSteps) (got \(steps))")
        }
        if percentiles != nil && normalize != .percentile {
            throw ValidationError("--percentiles goes with --normalize percentile")
        }
        if let percentiles {
            guard let bounds = parsePercentiles(percentiles) else {
                throw ValidationError("--percentiles must be two numbers LOW,HIGH (got '\(percentiles)')")
            }
            let problems = InputNormalization(mean: [0], std: [1], scheme: .percentile(low: bounds.low, high: bounds.high)).problems(channels: 1)
            if let first = problems.first { throw ValidationError("--percentiles \(first.problem)") }
        }
        if let disable {
            let known: Set = ["flips", "rotations", "elastic", "intensity", "all"]
            for item in disable.split(separator: ",") where !known.contains(String(item)) {
                throw ValidationError("--disable: unknown augmentation '\(item)' (known: \(known.sorted().joined(separator: ", ")))")
            }
        }
        if let w = classWeights, w != "auto", w != "none", parseWeights(w) == nil {
            throw ValidationError("--class-weights must be auto, none or comma-separated positive finite numbers (got '\(w)')")
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

    /// Refuses a batch and patch whose estimated training memory is over --memory or this
    /// machine's, before anything is read, allocated or written, naming what would fit.
    func checkMemory(_ o: TrainingOptions) throws {
        guard let limitMB = memory ?? PhysicalMemory.usableMegabytes else { return }
        let limit = Double(limitMB) * 1_048_576
        let patch = o.effectivePatchSize, c = o.model
        let need = TrainingMemory.estimatedBytes(c, patch: patch, batch: o.batchSize)
        guard need > limit else { return }
        func size(_ bytes: Double) -> String {
            let (tib, gib) = (Double(1 << 40), Double(1 << 30))
            return bytes >= tib ? String(format: "%.1f TiB", bytes / tib)
                : bytes >= gib ? String(format: "%.1f GiB", bytes / gib) : String(format: "%.0f MiB", bytes / 1_048_576)
        }
        let fits = [TrainingMemory.largestBatch(c, patch: patch, limitBytes: limit) > 0
                        ? "--batch-size \(TrainingMemory.largestBatch(c, patch: patch, limitBytes: limit)) with this patch" : nil,
                    TrainingMemory.largestPatch(c, batch: o.batchSize, limitBytes: limit).map { "--patch-size \($0) with this batch" },
                    TrainingMemory.largestPatch(c, batch: 1, limitBytes: limit).map { "--patch-size \($0) with --batch-size 1" }]
            .compactMap { $0 }
        throw ValidationError("batch \(o.batchSize) of \(patch)×\(patch) patches needs about \(size(need)) to train this network (an estimate), "
            + "over \(memory != nil ? "--memory \(limitMB) MiB" : "this machine's \(size(limit))"); "
            + (fits.isEmpty ? "even one patch of the smallest size does not fit: choose a narrower or shallower network" : "what fits: " + fits.joined(separator: ", or ")))
    }

    private func parsePercentiles(_ text: String) -> (low: Float, high: Float)? {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 2, let low = values[0], let high = values[1] else { return nil }
        return (low, high)
    }

    private func parseWeights(_ text: String) -> [Float]? {
        let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! > 0 && $0!.isFinite }) else { return nil }
        return values.map { $0! }
    }

    /// The run's options: defaults (or the resumed run's), then the plan's choices, then the
    /// flags given.
    func makeOptions(base: TrainingOptions = TrainingOptions(), plan: TrainingPlan? = nil) throws -> TrainingOptions {
        var o = base
        if let plan { o = o.applying(plan) }
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
        switch normalize {
        case .dataset?: o.normalization = .dataset
        case .percentile?:
            let bounds = percentiles.flatMap(parsePercentiles)
            o.normalization = bounds.map { .percentile(low: $0.low, high: $0.high) } ?? InputNormalization.Scheme.defaultPercentile
        case nil: break
        }
        if let seed { o.seed = seed }
        if let validateEvery { o.validateEvery = validateEvery }
        if let bnStats { o.batchNormStatistics = bnStats }
        if let syncBatchNorm { o.syncBatchNorm = syncBatchNorm }
        if let sampling { o.sampling = sampling }
        if let oversample { o.oversample = oversample }
        if let ema { o.averageWeights = ema }
        if let out { o.outputDirectory = out }
        if let t = compute.threads { o.threads = t }
        return o
    }

    /// The flags given that replace a choice of `plan`.
    func planOverrides(_ plan: TrainingPlan) -> [String] {
        [("--depth", model.depth != nil), ("--width", model.width != nil && plan.budgetSeconds != nil), ("--patch-size", patchSize != nil),
         ("--batch-size", batchSize != nil), ("--loss", loss != nil), ("--disable", disable != nil),
         ("--steps", steps != nil && plan.steps != nil), ("--epochs", epochs != nil && plan.steps != nil),
         ("--normalize", normalize != nil || percentiles != nil), ("--sampling", sampling != nil), ("--oversample", oversample != nil)]
            .filter(\.1).map(\.0)
    }

    /// The plan of a new run: the file given with --plan, else one made from the data (within
    /// --budget when given, and with the data as it loaded it), else none (--no-plan).
    func makePlan(primary: Bool, ranks: Int) throws -> (plan: TrainingPlan?, data: PreparedData?) {
        if let plan {
            // The data the plan is applied to, compared with the data it was made from.
            let file = try PlanFile.read(plan, lengthGiven: steps != nil || epochs != nil)
            let data = try PreparedData.load(try makeOptions(plan: file), inferClasses: classes == nil)
            for warning in try PlanFit.check(file, path: plan, against: data) where primary {
                FileHandle.standardError.write(Data(("warning: " + warning + "\n").utf8))
            }
            return (file, data)
        }
        if noPlan { return (nil, nil) }
        if budget != nil && ranks > 1 {
            throw CommandFailure("--budget times steps in processes of its own, which cannot run beside \(ranks) ranks; "
                + "plan first (unet plan --budget …), then train with --plan plan.json")
        }
        let unplanned = try makeOptions()
        let say: (String) -> Void = primary ? { print($0); fflush(stdout) } : { _ in }
        let made = try DatasetPlanning.plan(unplanned, inferClasses: classes == nil, budget: budget?.seconds, memoryMB: memory, compute: compute,
                                            quietProgress: !primary, say: say)
        return (made.plan, made.data)
    }

    /// Options that may be given anew on `--resume`; the others are the run's.
    /// The one list of what may be given anew on `--resume`: the refusal, the help text and (checked
    /// by HelpTests) docs/RELIABILITY.md and docs/USAGE.md say it from here.
    static let changeableOnResume = ["--epochs", "--steps", "--out", "--threads", "--workers", "--precision", "--validate-every",
                                     "--sync-batchnorm", "--data", "--images", "--masks", "--val-data", "--class-map"]

    /// The options given on the command line that differ from the run's stored ones and may not
    /// change on resume, as "--flag VALUE (the run has VALUE)".
    func fixedOptionsChanged(stored: TrainingOptions, given: TrainingOptions) -> [String] {
        func text<T>(_ v: T?) -> String { v.map { "\($0)" } ?? "default" }
        let fields: [(String, Bool, (TrainingOptions) -> String)] = [
            ("--depth", model.depth != nil, { "\($0.model.depth)" }), ("--width", model.width != nil, { "\($0.model.baseWidth)" }),
            ("--width-multiplier", model.widthMultiplier != nil, { "\($0.model.widthMultiplier)" }),
            ("--padding", model.padding != nil, { $0.model.padding.rawValue }), ("--block", model.block != nil, { $0.model.block.rawValue }),
            ("--upsampling", model.upsampling != nil, { $0.model.upsampling.rawValue }),
            ("--batch-norm", model.batchNorm != nil, { "\($0.model.batchNorm)" }), ("--dropout", model.dropout != nil, { "\($0.model.dropout)" }),
            ("--classes", classes != nil, { "\($0.model.classes)" }), ("--val-fraction", valFraction != nil, { "\($0.validationFraction)" }),
            ("--batch-size", batchSize != nil, { "\($0.batchSize)" }), ("--patch-size", patchSize != nil, { "\($0.effectivePatchSize)" }),
            ("--lr", lr != nil, { "\($0.learningRate)" }), ("--optimizer", optimizer != nil, { $0.optimizer.rawValue }),
            ("--momentum", momentum != nil, { "\($0.momentum)" }), ("--weight-decay", weightDecay != nil, { "\($0.weightDecay)" }),
            ("--schedule", schedule != nil, { $0.schedule.rawValue }), ("--warmup", warmup != nil, { text($0.warmupSteps) }),
            ("--clip-norm", clipNorm != nil, { text($0.clipNorm) }), ("--loss", loss != nil, { $0.loss.rawValue }),
            ("--class-weights", classWeights != nil, { "\($0.classWeights)" }), ("--weight-map", weightMap != nil, { "\($0.weightMap)" }),
            ("--disable", disable != nil, { o in ["flips": o.flips, "rotations": o.rotations, "elastic": o.elastic, "intensity": o.intensity]
                .filter { !$0.value }.keys.sorted().joined(separator: ",") }),
            ("--seed", seed != nil, { "\($0.seed)" }),
            ("--bn-stats", bnStats != nil, { ($0.batchNormStatistics ?? .running).rawValue }),
            ("--normalize", normalize != nil || percentiles != nil, { ($0.normalization ?? .dataset).summary }),
            ("--sampling", sampling != nil, { $0.sampling?.rawValue ?? "image (as many as the first image's area)" }),
            ("--oversample", oversample != nil, { "\($0.oversample ?? 0)" }),
            ("--ema", ema != nil, { "\($0.averageWeights == true)" }),
        ]
        return fields.compactMap { flag, wasGiven, value in
            !wasGiven || value(given) == value(stored) ? nil : "\(flag) \(value(given)) (the run has \(value(stored).isEmpty ? "none" : value(stored)))"
        }
    }

    /// Refuses a run folder that is one of the data folders or lies in one.
    func checkRunFolder(_ o: TrainingOptions) throws {
        var inputs = (o.dataRoot.map { OutputSafety.dataset($0) } ?? [])
            + (o.validationRoot.map { OutputSafety.dataset($0, role: "validation dataset folder") } ?? [])
        for (path, role) in [(o.imagesDirectory, "images folder"), (o.masksDirectory, "masks folder")] {
            if let path { inputs.append(OutputSafety.Input(path: path, role: role, isFolder: true)) }
        }
        if let map = o.classMapPath { inputs.append(OutputSafety.Input(path: map, role: "class map", isFolder: false)) }
        try OutputSafety.checkFolder(o.outputDirectory, against: inputs)
    }

    func run() throws {
        let world = try Ranks.join()
        try Ranks.run(world) { try train(world) }
    }

    /// With several ranks: loads the data (unless loaded already) and stops every rank, before
    /// any step, when their options, data or run folder differ. Returns the data to train on.
    /// Alone: returns `data` as given (the Trainer reads it after taking the run folder).
    private func agreeAcrossRanks(_ world: MPIWorld?, options: TrainingOptions, data: PreparedData?, inferClasses: Bool,
                                  resumedStep: Int?) throws -> PreparedData? {
        guard let world, world.size > 1 else { return data }
        let loaded = try data ?? PreparedData.load(options, inferClasses: inferClasses)
        try RankAgreement.check(world, try RankAgreement.description(options: options, data: loaded, resumedStep: resumedStep))
        return loaded
    }

    /// Trains as one rank of `world` (alone when nil); only rank 0 writes and prints.
    private func train(_ world: MPIWorld?) throws {
        StopSignal.install()
        try compute.activate(leavingBusyCores: resume == nil)
        if compute.threads == nil, let threads = Ranks.defaultThreads(world) { try ComputeThreads.set(threads) }
        let reducer = Ranks.reducer(world)
        let primary = reducer.isPrimary
        let trainer: Trainer
        if let resume {
            let checkpoint = try Checkpoint.read(from: resume)
            guard var stored = checkpoint.runOptions, let saved = checkpoint.training else {
                throw CommandFailure("\(resume): this checkpoint has no training state (resume from RUN_DIR/last.safetensors)")
            }
            // The run continues where the user says, else beside the checkpoint it resumes —
            // never in the folder recorded inside it, which may be another copy or machine's.
            let folder = (resume as NSString).deletingLastPathComponent
            stored.outputDirectory = out ?? (folder.isEmpty ? "." : folder)
            let given = try makeOptions(base: stored)
            let changed = fixedOptionsChanged(stored: stored, given: given)
            if !changed.isEmpty {
                throw CommandFailure("\(resume): these options cannot change when resuming: \(changed.joined(separator: "; ")). "
                    + "Leave them out (the run's are restored) or start a new run; only \(Train.changeableOnResume.joined(separator: ", ")) may be given anew")
            }
            try checkRunFolder(given)
            let data = try agreeAcrossRanks(world, options: given, data: nil, inferClasses: false, resumedStep: saved.step)
            trainer = try Trainer(options: given, inferClasses: false, resume: checkpoint, resumedFrom: resume, replacingExistingRun: overwrite,
                                  reducer: reducer, prepared: data)
            guard saved.step < trainer.totalSteps else {
                throw CommandFailure("\(resume): the run already finished (step \(saved.step) of \(trainer.totalSteps)); "
                    + "give --epochs or --steps beyond it to train on")
            }
            if primary { print("resuming \(resume) at step \(saved.step) of \(trainer.totalSteps), writing to \(given.outputDirectory)") }
        } else {
            // The run folder is checked before the data is measured for a plan (it is created,
            // locked and checked for an earlier run once the Trainer starts).
            if primary { try OutputSafety.checkCreatableFolder(try makeOptions().outputDirectory) }
            let (plan, planned) = try makePlan(primary: primary, ranks: reducer.worldSize)
            var options = try makeOptions(plan: plan)
            // Fewer threads than usable cores because others were busy: stored with the run, so that
            // a resume computes with the same count (the weights depend on it) whatever the load then.
            if compute.threads == nil, world == nil, ComputeThreads.count < min(UsableCores.count, ComputeThreads.maximum) {
                options.threads = ComputeThreads.count
            }
            if primary, let plan {
                print(PlanFile.summary(plan, path: self.plan, overridden: planOverrides(plan)))
                fflush(stdout)
            }
            try checkRunFolder(options)
            try checkMemory(options)
            let data = try agreeAcrossRanks(world, options: options, data: planned, inferClasses: classes == nil, resumedStep: nil)
            trainer = try Trainer(options: options, inferClasses: classes == nil, replacingExistingRun: overwrite, reducer: reducer,
                                  prepared: data)
        }
        let start = Date()
        trainer.dataWorkers = workers
        let outcome = try trainer.run()
        let seconds = Date().timeIntervalSince(start)
        if outcome == .finished {
            guard primary else { return }
            let fm = FileManager.default
            let best = fm.fileExists(atPath: trainer.bestPath)
                ? String(format: "best: %@ (epoch %@, %@; chosen on these validation images, so optimistic)", trainer.bestPath,
                         trainer.state.bestEpoch.map(String.init) ?? "-", trainer.state.bestMeanIoU.map { String(format: "%.4f", $0) } ?? "-")
                : (trainer.data.validation.isEmpty ? "no best checkpoint (no validation data)" : "no best checkpoint")
            let last = trainer.lastValidation.flatMap { v in v.meanIoU.map { String(format: " (epoch %d, validation mean IoU %.4f)", v.epoch, $0) } } ?? ""
            print(String(format: "done in %.1f s: last: %@%@; %@", seconds, trainer.lastPath, last, best))
            print(String(format: "data pipeline: the compute loop waited %.2f s for batches (%.1f%% of %.1f s computing)",
                         trainer.dataWaitSeconds, 100 * trainer.dataWaitSeconds / max(trainer.computeSeconds, 1e-9), trainer.computeSeconds))
            if let mpi = reducer as? MPIGradientReducer { print(mpi.summary) }
        } else {
            // Every rank leaves with the same status: the signal one of them received.
            let received = world?.maximum(StopSignal.received ?? 0) ?? StopSignal.received ?? 0
            throw ExitCode(128 + (received == 0 ? SIGINT : received))
        }
    }
}
