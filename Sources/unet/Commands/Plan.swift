import ArgumentParser
import Datasets
import FileSafety
import Foundation
import NN
import Training

/// `unet plan`: a dataset's fingerprint and the training configuration derived from it.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a dataset and plan its training: normalisation, network, patch, loss, augmentation, steps.",
        discussion: """
        Measures the training images and masks (sizes, channels, bit depth, intensities and how \
        much they differ between images, class shares, object sizes), derives a configuration by \
        fixed rules, and times training steps of the candidate network widths on this machine \
        (each in its own `unet bench` process, so its memory is its own) to fit the steps into \
        --budget and the memory into --memory. Writes plan.json with the reason for each choice; \
        `unet train --plan plan.json` trains with it (options given to train win).
        """)

    @OptionGroup(title: "Data") var dataOptions: DataOptions
    @Option(help: "Training time to plan for: 90s, 45m, 2h, 1h30m (default: 30m).", transform: Duration.parse)
    var budget = Duration(seconds: 1800)
    @Option(parsing: .unconditional, help: "Memory for training, in MiB (default: half of this machine's).")
    var memory: Int?
    @Option(parsing: .unconditional, help: "Seed of the validation split (as train's --seed).")
    var seed: UInt64 = 0
    @Option(name: .customLong("out"), help: "Where to write the plan.")
    var out = "plan.json"
    @Flag(help: "Replace --out even when it is not an earlier plan.")
    var overwrite = false
    @OptionGroup(title: "Compute") var compute: ComputeOptions

    func validate() throws {
        if let memory, memory < 64 { throw ValidationError("--memory must be at least 64 MiB (got \(memory))") }
    }

    func run() throws {
        try compute.activate()
        var options = TrainingOptions()
        try dataOptions.apply(to: &options)
        options.seed = seed
        try checkOutput(options)

        let (plan, prepared, timed) = try DatasetPlanning.plan(options, inferClasses: dataOptions.classes == nil, budget: budget.seconds, memoryMB: memory,
                                                             compute: compute) { print($0) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(plan)) + [0x0A], to: out)
        print(plan.table)
        print("wrote \(out) (\(prepared.train.count) training images measured, \(timed) step timings); train with: unet train --plan \(out)")
    }

    /// Refuses to replace the data or a file that is not an earlier plan.
    func checkOutput(_ o: TrainingOptions) throws {
        let inputs = DataOptions.inputs(of: o)
        try OutputSafety.checkFile(out, option: "--out", against: inputs)
        guard !overwrite, let head = try OutputSafety.existingFileHead(out, option: "--out", bytes: 4096) else { return }
        if String(decoding: head, as: UTF8.self).contains("\"fingerprint\"") { return }
        throw CommandFailure("--out \(out) exists and is not a plan written by unet plan; it is left as it is. Choose another file name or pass --overwrite")
    }
}
