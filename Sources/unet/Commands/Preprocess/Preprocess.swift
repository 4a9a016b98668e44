import ArgumentParser

/// `unet preprocess`: dataset preparation; one subcommand per step, the work in `Datasets`.
struct Preprocess: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prepare datasets: check, convert masks, resize, tile, split, weight maps.",
        subcommands: [PreprocessCheck.self, PreprocessConvertMasks.self, PreprocessResize.self, PreprocessTile.self,
                      PreprocessSplit.self, PreprocessWeightMaps.self]
    )
}
