import Datasets
import FileSafety
import Foundation
import NN
import Tensors

/// Trains a U-Net on patches of a dataset: seeded, resumable, validating by overlap-tile
/// prediction on whole images, writing metrics, curves and checkpoints to the run folder.
public final class Trainer {
    public let options: TrainingOptions
    public let data: PreparedData
    /// The weights the optimizer trains.
    public let model: UNet
    /// Their running average, when `options.averageWeights` (see `WeightAverage`).
    let average: WeightAverage?
    /// The model that is validated and saved: the average when there is one.
    public var evaluatedModel: UNet { average?.model ?? model }
    public let info: ModelInfo
    /// The training batches: by default patches of `data.train` (`patchBatcher`), or a source
    /// given to `init`.
    public let batches: BatchSource
    public internal(set) var state: TrainingState
    /// Where this rank meets the others (a world of one by default). Only the primary rank
    /// writes the run folder and prints; see `GradientReducer`.
    public let reducer: GradientReducer
    public var progressStyle = TrainingProgress.Style.detect()
    public var log: (String) -> Void = { TrainingProgress.writeToStandardError($0 + "\n") }
    /// Called on the primary rank after each epoch's metrics are written (the tool draws
    /// curves.png with it: drawing and image encoding are not the Trainer's); a throw stops the run.
    public var epochReport: ((MetricsLog) throws -> Void)?
    let optimizer: Optimizer
    let schedule: LearningRateSchedule
    let loss: SegmentationLoss
    let validationSource: SampleSource?
    var metrics: MetricsLog
    /// Seconds the training loop waited for the data pipeline, over the run so far.
    public private(set) var dataWaitSeconds: Double = 0
    public private(set) var computeSeconds: Double = 0
    /// Threads decoding and augmenting batches ahead of the step (`--workers`); nil: `defaultDataWorkers`.
    /// Batches are a function of their step, so the number changes only the speed.
    public var dataWorkers: Int?
    /// The most data workers accepted (each holds up to two batches in flight).
    public static let maximumDataWorkers = 64
    /// Stops (as on Ctrl-C) when this many steps are done; for tests of interruption.
    var stopAtStep: Int?
    /// Replaces the loss of this step (1-based, as reported) by NaN; for tests of divergence.
    var nanLossAtStep: Int?
    /// Holds the run folder for this process from `init` to the end of `run()`.
    var runLock: FolderLock?

    public var totalSteps: Int { options.steps ?? (options.epochs ?? 50) * batches.stepsPerEpoch }
    public var lastPath: String { (options.outputDirectory as NSString).appendingPathComponent("last.safetensors") }
    public var bestPath: String { (options.outputDirectory as NSString).appendingPathComponent("best.safetensors") }

    /// Prepares a run; with `resume`, continues from that training checkpoint, read from
    /// `resumedFrom` (its run files, metrics and best, are carried over when the run folder is
    /// another one). The run folder is locked against other processes from here to the end of
    /// `run()`; one that holds another run is refused unless `replacingExistingRun`. Training
    /// batches come from `batches` when given (its batches must fit the model: input channels,
    /// classes), else from `patchBatcher`; validation always uses the prepared data.
    ///
    /// With a `reducer` of several ranks, `options.batchSize` is the batch of one rank, the
    /// default batches are this rank's shard (`PatchBatcher` with rank and world size; a given
    /// `batches` must already be the shard), and only the primary rank touches the run folder:
    /// the others neither create, lock nor check it.
    ///
    /// `prepared`: the data of `options` when the caller has loaded it already (to plan the run),
    /// so that it is not read twice.
    public init(options: TrainingOptions, inferClasses: Bool, resume: Checkpoint? = nil, resumedFrom: String? = nil,
                replacingExistingRun: Bool = false, batches: BatchSource? = nil, reducer: GradientReducer = LocalGradients(),
                prepared: PreparedData? = nil) throws {
        var options = options
        let problems = options.problems
        guard problems.isEmpty else { throw TrainingError.invalidOptions(problems) }
        self.reducer = reducer
        let primary = reducer.isPrimary
        // An unusable or busy run folder is reported before the data is read, not at the first save.
        if primary { try AtomicFile.createDirectory(options.outputDirectory) }
        let lock = primary ? try FolderLock(folder: options.outputDirectory, purpose: "unet train") : nil
        let folder = options.outputDirectory
        let sourceFolder = resumedFrom.map { ($0 as NSString).deletingLastPathComponent }.map { $0.isEmpty ? "." : $0 }
        let continuesInPlace = resume != nil && sourceFolder.map { ResolvedPath($0) == ResolvedPath(folder) } ?? true
        if primary && (!continuesInPlace || resume == nil) {
            let existing = Trainer.existingRunFiles(in: folder)
            if !existing.isEmpty && !replacingExistingRun { throw TrainingError.runFolderTaken(folder: folder, files: existing) }
        }
        if let threads = options.threads { try ComputeThreads.set(threads) }
        let data = try prepared ?? PreparedData.load(options, inferClasses: inferClasses && resume == nil)
        guard !data.train.isEmpty else { throw TrainingError.noData("no training images left after the validation split") }
        if let resume {
            try Trainer.checkFits(data, resume.info.configuration)
            options.model = resume.info.configuration
        } else {
            options.model.classes = data.classCount
            options.model.inputChannels = data.channels
        }
        if let p = options.patchSize, let problem = options.problems(patch: p) { throw TrainingError.invalidOptions([problem]) }
        self.options = options
        self.data = data
        let channels = options.model.inputChannels

        let normalization: InputNormalization
        if let resume {
            normalization = resume.info.normalization
            info = resume.info
        } else if case .percentile(let low, let high)? = options.normalization {
            normalization = .percentile(low: low, high: high, channels: channels)
            info = ModelInfo(configuration: options.model, classNames: data.classNames, normalization: normalization)
        } else {
            let sample = data.train.prefix(64)
            normalization = InputNormalization.estimate(from: try sample.map {
                let (pixels, _, _, _) = try SampleSource.loadImage($0.imagePath, channels: channels)
                return (pixels, channels)
            })
            info = ModelInfo(configuration: options.model, classNames: data.classNames, normalization: normalization)
        }
        model = UNet(options.model, seed: options.seed)

        self.batches = try batches ?? Trainer.patchBatcher(for: data, options: options, normalization: normalization,
                                                            rank: reducer.rank, worldSize: reducer.worldSize)
        validationSource = data.validation.isEmpty ? nil
            : SampleSource(pairs: data.validation, channels: channels, classCount: options.model.classes, classMap: data.classMap, maskEncoding: data.maskEncoding,
                           normalization: normalization)

        let classWeights: [Float]?
        switch options.classWeights {
        case .none: classWeights = nil
        case .fixed(let w):
            guard w.count == options.model.classes else {
                throw TrainingError.invalidOptions(["\(w.count) class weights given for \(options.model.classes) classes"])
            }
            classWeights = w
        case .auto: classWeights = Trainer.inverseFrequencyWeights(data.histogram)
        }
        // With the border weight map, class balance is already in the per-pixel weights (`problems` refuses both).
        loss = SegmentationLoss(kind: options.loss, classWeights: classWeights)

        switch options.optimizer {
        case .sgd: optimizer = SGD(momentum: options.momentum, nesterov: false, weightDecay: options.weightDecay)
        case .adam: optimizer = Adam(weightDecay: options.weightDecay)
        case .adamw: optimizer = Adam(weightDecay: options.weightDecay, decoupled: true)
        }
        let total = options.steps ?? (options.epochs ?? 50) * self.batches.stepsPerEpoch
        let warmup = options.warmupSteps ?? min(200, total * 3 / 100)
        switch options.schedule {
        case .constant: schedule = .constant(options.learningRate, warmupSteps: warmup)
        case .step: schedule = .step(options.learningRate, factor: 0.1, every: max(1, (total - warmup) / 3), warmupSteps: warmup)
        case .cosine: schedule = .cosine(options.learningRate, floor: options.learningRate * 0.01, totalSteps: total, warmupSteps: warmup)
        }

        // Everything is checked: the folder can now be made this run's (`--overwrite` removes the
        // files of the run it held, so that no stale `best` survives).
        if primary && !continuesInPlace {
            if replacingExistingRun { Trainer.removeRunFiles(in: folder) }
            if resume != nil, let sourceFolder { try Trainer.carryRunFiles(from: sourceFolder, to: folder) }
        }
        metrics = MetricsLog(directory: options.outputDirectory, classNames: info.classNames)
        state = TrainingState(step: 0, epoch: 0, bestMeanIoU: nil, bestEpoch: nil, dropoutRNG: model.mode.rng.stateWords, optimizerSteps: 0)
        average = options.averageWeights == true ? WeightAverage(copying: model) : nil
        if let resume {
            if let average {
                // The model tensors are the average; the trained weights are kept beside them.
                guard resume.hasRawWeights else {
                    throw CheckpointError.notACheckpoint(path: resume.source, reason: "the run averages its weights, but the checkpoint holds no 'training.raw.' weights")
                }
                try resume.load(into: average.model)
                try resume.load(into: model, rawWeights: true)
            } else {
                try resume.load(into: model)
            }
            guard let saved = resume.training else {
                throw TrainingError.invalidOptions(["the checkpoint has no training state (a 'best' checkpoint holds weights only); resume from last.safetensors"])
            }
            // Checked when read from a file; again here for a checkpoint built in memory.
            let stateProblems = saved.problems
            guard stateProblems.isEmpty else {
                throw CheckpointError.notACheckpoint(path: resume.source, reason: "metadata 'unet.training': " + stateProblems.joined(separator: "; "))
            }
            try resume.restore(optimizer, stepCount: saved.optimizerSteps, parameters: model.parameters)
            model.mode.rng = SeededGenerator(state: saved.dropoutRNG)
            state = saved
            metrics.resume(throughEpoch: saved.epoch)
        }
        runLock = lock
    }

    /// Runs until the step budget is spent or a stop signal arrives.
    /// With several ranks, every rank runs this in lock-step: the same steps, the same collective
    /// calls on `reducer`, the same stop; validation is sharded over the ranks and combined
    /// (`validate`); only the primary writes and prints.
    public func run() throws -> TrainingOutcome {
        let primary = reducer.isPrimary
        let log: (String) -> Void = primary ? self.log : { _ in }
        if primary {
            try AtomicFile.createDirectory(options.outputDirectory)
            if runLock == nil { runLock = try FolderLock(folder: options.outputDirectory, purpose: "unet train") }
            removeStaleTemporaryFiles()
            try writeOptions()
        }
        defer { runLock = nil }
        let total = totalSteps
        let perEpoch = batches.stepsPerEpoch
        // Epochs end every `perEpoch` steps and at the last step (which may end a partial epoch;
        // a resumed run that extends it then ends one more there).
        let epochs = state.epoch + (total / perEpoch - state.step / perEpoch) + (total % perEpoch != 0 ? 1 : 0)
        let batches = self.batches
        let workers = dataWorkers ?? Self.defaultDataWorkers(device: Backend.current.device, cores: ProcessInfo.processInfo.activeProcessorCount)
        let prefetcher = BatchPrefetcher(from: state.step, to: total, depth: max(3, 2 * workers), workers: workers) { try batches.batch(step: $0) }
        defer { prefetcher.stop() }
        let progress = TrainingProgress(totalEpochs: epochs, stepsPerEpoch: perEpoch, style: progressStyle, write: log)
        let parameters = model.parameters
        let reducer = self.reducer
        // Reports each parameter's final gradient to the reducer during the backward pass (only
        // when there are other ranks to overlap communication with).
        let names = Dictionary(parameters.map { (ObjectIdentifier($0.tensor), $0.name) }, uniquingKeysWith: { a, _ in a })
        let gradientFinal: ((Tensor) -> Void)? = reducer.worldSize == 1 ? nil : { tensor in
            if let name = names[ObjectIdentifier(tensor)] { reducer.gradientReady(name: name, tensor: tensor) }
        }
        let statisticsSync = self.statisticsSync
        model.training = true
        var epochLoss = state.epochLossSum ?? 0, epochSteps = state.epochStepCount ?? 0
        var epochStart = Date()
        let patch = options.effectivePatchSize, patchOutput = options.model.outputSize(forInput: patch) ?? 0
        log("training \(data.train.count) images (\(data.validation.count) for validation), \(options.model.classes) classes, "
            + "\(options.model.inputChannels) channel(s); patches \(patch)² → \(patchOutput)², "
            + "batch \(options.batchSize)\(reducer.worldSize > 1 ? " per rank × \(reducer.worldSize) ranks = \(options.batchSize * reducer.worldSize)" : "")"
            + "\(statisticsSync != nil ? " (batch norm synchronised)" : ""), \(perEpoch) steps per epoch, \(total) steps; \(model.parameterCount) parameters; "
            + "\(ComputeThreads.count) threads, \(workers) data worker\(workers == 1 ? "" : "s")")
        while state.step < total {
            // Any rank's stop request stops every rank at this step.
            if reducer.combineStop(StopSignal.requested || state.step == stopAtStep) {
                state.epochLossSum = epochLoss
                state.epochStepCount = epochSteps
                combineRunningStatistics()
                try saveLast()
                log("\nstopped at step \(state.step); saved \(lastPath) (continue with --resume \(lastPath))")
                return .interrupted(step: state.step)
            }
            let batch = try prefetcher.batch(step: state.step)
            let computeStart = Date()
            let (x, targets, pixelWeights) = batch.tensors()
            let tape = Tape()
            let forward = { self.loss(self.model(x), targets: targets, pixelWeights: pixelWeights) }
            let lossTensor = tape.record { statisticsSync.map { $0.during(forward) } ?? forward() }
            let value = reducer.combine(state.step + 1 == nanLossAtStep ? Float.nan : lossTensor.scalar)
            guard value.isFinite else {
                throw TrainingError.diverged(step: state.step + 1, loss: value,
                                             lastGoodCheckpoint: FileManager.default.fileExists(atPath: lastPath) ? lastPath : nil)
            }
            tape.backward(from: lossTensor, gradientFinal: gradientFinal)
            reducer.combine(parameters)
            if let c = options.clipNorm { clipGradientNorm(parameters, maxNorm: c) }
            optimizer.step(parameters, learningRate: schedule.rate(atStep: state.step))
            zeroGradients(parameters)
            state.step += 1
            average?.update(from: model, step: state.step)
            computeSeconds += Date().timeIntervalSince(computeStart)
            epochLoss += Double(value)
            epochSteps += 1
            progress.step(epoch: state.epoch + 1, step: (state.step - 1) % perEpoch + 1, loss: value, images: batch.size)
            if state.step % perEpoch == 0 || state.step == total {
                state.epoch += 1
                state.epochLossSum = nil
                state.epochStepCount = nil
                try endEpoch(trainLoss: epochLoss / Double(max(epochSteps, 1)), seconds: Date().timeIntervalSince(epochStart),
                             progress: progress, final: state.step == total)
                epochLoss = 0
                epochSteps = 0
                epochStart = Date()
            }
        }
        dataWaitSeconds = prefetcher.waitSeconds
        return .finished
    }

    /// How many of the epoch's last batches `--bn-stats recomputed` averages (64 patches at
    /// batch 4; about 6% of an epoch's compute at 90 steps, forward passes only).
    static let statisticsBatches = 16

    /// `--sync-batchnorm` with several ranks: batch norm in training mode normalises with the
    /// global batch's statistics (installed around each forward pass).
    lazy var statisticsSync: BatchStatisticsSync? = options.syncBatchNorm == true && reducer.worldSize > 1 && options.model.batchNorm
        ? BatchStatisticsSync(sum: reducer.sum) : nil

    /// The epoch and validation mean IoU of the most recent validation (the model in `last`
    /// when it ran at the final epoch): the honest headline, unlike `best`, which is chosen on
    /// these same validation images.
    public internal(set) var lastValidation: (epoch: Int, meanIoU: Double?)?

    /// The files of the run folder, which are written atomically through hidden temporary files
    /// `.NAME.tmp-…` (see `AtomicFile` and `SafeTensorsFile.write`).
    static let runFiles = ["last.safetensors", "best.safetensors", "metrics.csv", "curves.png", "options.json"]

}
