import ArgumentParser
import Datasets

/// `unet preprocess tile`: large images and masks cut into overlapping square patches.
struct PreprocessTile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tile",
        abstract: "Cut images and masks into N×N patches overlapping by K pixels.",
        discussion: """
        Tiles step by N-K; the last row and column are moved back to end at the image edge, so \
        the whole image is covered. A side shorter than N is mirror-padded (at the bottom or \
        right) to N, image and mask alike. Names: NAME_rY_cX.png (tile row and column, \
        zero-padded), always PNG. classes.json is copied; make a split afterwards (--mode tail \
        keeps the tiles of one image together).
        """)

    @Option(help: "Dataset folder with images/ and masks/.")
    var data: String
    @Option(help: "Output dataset folder (gets images/ and masks/).")
    var out: String
    @Option(parsing: .unconditional, help: "Tile side N in pixels.")
    var size: Int
    @Option(parsing: .unconditional, help: "Overlap K in pixels between neighbouring tiles (0 <= K < N).")
    var overlap: Int = 0

    func validate() throws {
        guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") }
        guard overlap >= 0 && overlap < size else { throw ValidationError("--overlap must be in 0..<\(size), got \(overlap)") }
        try PreprocessReporting.checkDistinct(out: out, dataset: data)
    }

    func run() throws {
        let folder = try DatasetFolder.scan(root: data)
        let outcome = try folder.tiled(size: size, overlap: overlap, out: out, progress: PreprocessReporting.progress("tiled"))
        try PreprocessReporting.finish(outcome, summary: "wrote \(outcome.written) tile(s) of \(size)x\(size) from \(folder.pairs.count) pair(s) to \(out)")
    }
}
