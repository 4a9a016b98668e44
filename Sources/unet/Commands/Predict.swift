import ArgumentParser
import Datasets
import FileSafety
import Foundation
import ImageCodecs
import MessagePassing
import Tensors
import Reports
import Training

extension MaskFormat: ExpressibleByArgument {}

/// `unet predict`: segments images of any size with a checkpoint.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict masks for images (files or folders, recursively).",
        discussion: """
        Writes OUT_DIR/NAME.png per input NAME (NAME.tif with --format tiff; paths under a folder \
        argument keep their sub-folders). \
        Masks have the input's width and height; any size is handled by overlap-tile prediction. \
        Under mpirun -np N (or srun), the images are shared out among the N ranks; the files are \
        the same, byte for byte, as one process writes.
        """)

    @Option(help: "Checkpoint (.safetensors) written by unet train.")
    var model: String
    @Option(name: .customLong("out"), help: "Output folder.")
    var out: String
    @Argument(help: "Images (PNG, JPEG or TIFF) or folders of them.")
    var inputs: [String]
    @Option(help: "Mask format: indexed (PNG, class index with a palette), gray255 (PNG, binary 0/255) or tiff (8-bit TIFF of class indices).")
    var format: MaskFormat = .indexed
    @Flag(help: "Also write NAME_overlay.png: the input with the mask blended in.")
    var overlay = false
    @Flag(help: "Also write NAME_prob_CLASS.png: per-class probabilities as 16-bit gray (with --format tiff: NAME_prob_CLASS.tif, 32-bit float).")
    var probabilities = false
    @Option(parsing: .unconditional, help: "Tile input side (default: the largest that fits --memory-budget).")
    var tile: Int?
    @Option(name: .customLong("memory-budget"), parsing: .unconditional, help: "Activation memory for tiles in MB (default 1024; on a GPU half its free memory).")
    var memoryBudget: Int?
    @Option(name: .customLong("batch-tiles"), parsing: .unconditional, help: "Tiles per forward pass (default 4).")
    var batchTiles: Int = 4
    @OptionGroup(title: "Test-time augmentation") var testTime: TestTimeOptions
    @OptionGroup(title: "Compute") var compute: ComputeOptions

    @Flag(name: .customLong("color-to-gray"), help: "Convert colour images to gray by luminance (0.299 R + 0.587 G + 0.114 B) for a gray model; without it they are refused.")
    var colorToGray = false
    @Flag(help: "Replace files in --out that unet predict did not write (refused by default).")
    var overwrite = false

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one image or folder") }
        if let memoryBudget, memoryBudget < 16 { throw ValidationError("--memory-budget must be at least 16 MB") }
        if let memoryBudget, let total = PhysicalMemory.megabytes, memoryBudget > total {
            throw ValidationError("--memory-budget \(memoryBudget) MB is more than this machine's memory (\(total) MB)")
        }
        if batchTiles < 1 { throw ValidationError("--batch-tiles must be at least 1") }
        if let tile, tile < 1 { throw ValidationError("--tile must be positive") }
    }

    func run() throws {
        let world = try Ranks.join()
        try Ranks.run(world) { try predict(world) }
    }

    /// Predicts as one rank of `world` (alone when nil). With several ranks, rank r predicts
    /// images r, r + N, r + 2N, … of the sorted input list; rank 0 alone checks the outputs,
    /// locks the folder and records the manifest, before any rank writes, and holds the lock
    /// until every rank has finished; only rank 0 prints, except a rank's own image errors.
    private func predict(_ world: MPIWorld?) throws {
        StopSignal.install()
        try compute.activate()
        if compute.threads == nil, let threads = Ranks.defaultThreads(world) { try ComputeThreads.set(threads) }
        let (rank, ranks) = (world?.rank ?? 0, world?.size ?? 1)
        let primary = rank == 0
        let checkpoint = try Checkpoint.read(from: model)
        let net = try checkpoint.makeModel(path: model)
        let info = checkpoint.info
        if format == .gray255 && info.configuration.classes != 2 {
            throw CommandFailure("--format gray255 needs a binary model; this one has \(info.configuration.classes) classes")
        }
        let memoryBudget = self.memoryBudget ?? DeviceSelection.defaultTileBudgetMB()
        try TileBudget.check(tile: tile, batchTiles: batchTiles, memoryBudgetMB: memoryBudget, configuration: info.configuration)
        let files = try ImageFiles.collect(inputs)
        guard !files.isEmpty else { throw CommandFailure("no PNG, JPEG or TIFF images found in \(inputs.joined(separator: ", "))") }
        let plan = PredictionOutputs(folder: out, entries: files, overlay: overlay, probabilityClasses: probabilities ? info.classNames : nil,
                                     fileExtension: format.fileFormat.pathExtension)

        // Nothing is written until every output is known not to touch an input or a user's file.
        var lock: FolderLock?
        var refusal: Error?
        if primary {
            do { lock = try prepareOutputs(plan) } catch { refusal = error }
        }
        // Every rank learns whether rank 0 may go on; a refusal stops all, nothing written.
        if let world, world.size > 1, world.any(refusal != nil) { throw Ranks.AgreedFailure(refusal) }
        if let refusal { throw refusal }
        defer { withExtendedLifetime(lock) {} }

        let predictor = Predictor(model: net, info: info, tile: tile, memoryBudgetBytes: memoryBudget << 20, batchTiles: batchTiles,
                                  augmentation: testTime.augmentation)
        let palette = info.palette.map { RGBA8($0[0], $0[1], $0[2]) }
        var failures = 0, written = 0
        var changes: [ChannelAdaptation.Change: Int] = [:]
        let total = plan.items.count
        let progress = CountProgress(total: total, noun: "images")
        for round in 0..<((total + ranks - 1) / ranks) {
            // A stop on any rank stops every rank before the same round.
            if world?.any(StopSignal.requested) ?? StopSignal.requested { break }
            let k = round * ranks + rank
            guard k < total else { continue }
            do {
                let change = try predictOne(plan.items[k], plan: plan, predictor: predictor, info: info, palette: palette)
                changes[change, default: 0] += 1
                written += 1
                if primary { progress.update(min(total, (round + 1) * ranks)) }
            } catch is PredictionStopped {
                // A signal arrived mid-image: that image is left unwritten (the next round's
                // agreement stops every rank).
                continue
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("\(ranks > 1 ? "rank \(rank): " : "")error: \(error)\n".utf8))
            }
        }
        // Sums over the ranks; this is also where rank 0 waits for every rank to finish writing.
        let kinds = ChannelAdaptation.Change.allCases
        if let world, world.size > 1 {
            let sums = world.sum([Double(written), Double(failures)] + kinds.map { Double(changes[$0] ?? 0) })
            (written, failures) = (Int(sums[0]), Int(sums[1]))
            for (i, kind) in kinds.enumerated() { changes[kind] = Int(sums[2 + i]) }
        }
        let signal = world?.maximum(StopSignal.received ?? 0) ?? StopSignal.received ?? 0
        if primary {
            for (change, count) in changes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where change != .none && count > 0 {
                print("note: \(count) image(s): \(change.rawValue) for this \(info.configuration.inputChannels)-channel model")
            }
            let extras = (overlay ? ", with overlays" : "") + (probabilities ? ", with probability maps" : "")
            print("wrote \(written) mask(s)\(extras) to \(out)" + (ranks > 1 ? " from \(ranks) ranks" : "")
                  + (failures > 0 ? "; \(failures) image(s) failed (above)" : ""))
            if signal != 0 {
                FileHandle.standardError.write(Data("stopped after \(written + failures) of \(total) images\n".utf8))
            }
        }
        if signal != 0 { throw ExitCode(128 + signal) }
        if failures > 0 { throw ExitCode(1) }
    }

    /// Checks every planned output, creates and locks the folder and records the outputs in its
    /// manifest; returns the lock, to hold while predicting. Writes nothing when it throws.
    private func prepareOutputs(_ plan: PredictionOutputs) throws -> FolderLock {
        let sources = inputs.map { OutputSafety.Input(path: $0, role: OutputSafety.isDirectory($0) ? "input folder" : "input image",
                                                      isFolder: OutputSafety.isDirectory($0)) }
            + [OutputSafety.Input(path: model, role: "model", isFolder: false)]
        try OutputSafety.checkFolder(out, against: sources)
        try refuse(plan.problems(manifest: OutputManifest(folder: out, of: .predict), overwrite: overwrite))
        try AtomicFile.createDirectory(out)
        let lock = try FolderLock(folder: out, purpose: "unet predict")
        var manifest = OutputManifest(folder: out, of: .predict)
        try refuse(plan.problems(manifest: manifest, overwrite: overwrite))
        for folder in Set(plan.items.flatMap { $0.files.map { (plan.path($0) as NSString).deletingLastPathComponent } }) {
            AtomicFile.removeStaleTemporaries(in: folder)
        }
        try manifest.record(plan.items.flatMap(\.files))
        return lock
    }

    private func refuse(_ problems: [String]) throws {
        guard !problems.isEmpty else { return }
        throw CommandFailure(problems.count == 1 ? problems[0] + "; nothing was written"
            : "\(problems.count) problems, nothing was written:\n" + problems.map { "  " + $0 }.joined(separator: "\n"))
    }

    /// Predicts one image and writes its files; returns how its channels were adapted.
    private func predictOne(_ item: PredictionOutputs.Item, plan: PredictionOutputs, predictor: Predictor, info: ModelInfo,
                            palette: [RGBA8]) throws -> ChannelAdaptation.Change {
        let classes = info.configuration.classes
        let channels = info.configuration.inputChannels
        var (pixels, height, width, change) = try SampleSource.loadImage(item.input.path, channels: channels, allowLuminance: colorToGray,
                                                                         normalization: info.normalization)
        let display = pixels
        info.normalization.apply(to: &pixels)
        let probs = try predictor.probabilities(pixels, channels: channels, height: height, width: width) { StopSignal.requested }
        let images = SegmentationImages(probabilities: probs, classes: classes, height: height, width: width)
        var files = item.files.map(plan.path).makeIterator()
        let maskPath = files.next()!
        try AtomicFile.createDirectory((maskPath as NSString).deletingLastPathComponent)
        try images.maskImage(format, palette: palette).write(to: maskPath, format: format.fileFormat)
        if overlay {
            try images.overlay(on: display, channels: channels, palette: info.palette).write(to: files.next()!, format: .png)
        }
        if probabilities {
            for c in 0..<classes { try images.probabilityMap(class: c, format: format).write(to: files.next()!, format: format.fileFormat) }
        }
        return change
    }
}

