import ArgumentParser

/// `unet preprocess`: dataset preparation (filled in by its own commit).
struct Preprocess: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Prepare datasets.")
}
