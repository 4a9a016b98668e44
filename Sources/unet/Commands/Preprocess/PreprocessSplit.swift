import ArgumentParser
import Datasets
import Training

extension SplitMode: ExpressibleByArgument {}

/// `unet preprocess split`: a deterministic train/validation split in DIR/split.json.
struct PreprocessSplit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Write DIR/split.json: a deterministic train/validation split that `unet train` uses.",
        discussion: """
        random: a seeded shuffle (same seed, same split). tail: the last fraction of the names in \
        sorted order, for slice stacks, videos and tiles, where neighbouring images look alike \
        and a random split leaks into validation. At least one name is held out and one kept.
        """)

    @Option(help: "Dataset folder with images/ and masks/.")
    var data: String
    @Option(name: .customLong("val-fraction"), parsing: .unconditional, help: "Fraction of the pairs held out for validation, in (0, 1).")
    var valFraction: Double
    @Option(parsing: .unconditional, help: "Random seed (random mode).")
    var seed: UInt64 = 0
    @Option(help: "random or tail.")
    var mode: SplitMode = .random

    func validate() throws {
        guard valFraction > 0 && valFraction < 1 else { throw ValidationError("--val-fraction must be in (0, 1), got \(valFraction)") }
    }

    func run() throws {
        let folder = try DatasetFolder.scan(root: data)
        let split = try DatasetSplit.make(for: folder, fraction: valFraction, seed: seed, mode: mode)
        try split.write(root: data)
        print("wrote \(data)/split.json (\(mode.rawValue)): \(split.train.count) train, \(split.validation.count) validation")
    }
}
