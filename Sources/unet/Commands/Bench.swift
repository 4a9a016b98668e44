import ArgumentParser

/// `unet bench`: speed and memory of a configuration (filled in by its own commit).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmark training and inference.")
}
