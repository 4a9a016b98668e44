import ArgumentParser
import Datasets

/// `unet preprocess resize`: a resized copy of a dataset.
struct PreprocessResize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resize",
        abstract: "Write a resized copy of a dataset (images smooth, masks nearest neighbour).",
        discussion: """
        Images: area averaging along an axis that shrinks, bilinear (half-pixel centres) along \
        one that grows; they keep their names and formats (JPEG re-encoded at quality 95). Masks: \
        nearest neighbour, written as PNG, so no class value is invented and a palette is kept. \
        --max-side only shrinks. classes.json and split.json are copied.
        """)

    @Option(help: "Dataset folder with images/ and masks/.")
    var data: String
    @Option(help: "Output dataset folder (gets images/ and masks/).")
    var out: String
    @Option(parsing: .unconditional, help: "Scale factor for both sides, e.g. 0.5.")
    var scale: Double?
    @Option(help: "Exact output size WxH, e.g. 512x384.")
    var size: String?
    @Option(name: .customLong("max-side"), parsing: .unconditional, help: "Shrink so that the longer side is at most N.")
    var maxSide: Int?

    func validate() throws {
        guard [scale != nil, size != nil, maxSide != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --scale, --size, --max-side")
        }
        _ = try target()
        try PreprocessReporting.checkDistinct(out: out, dataset: data)
    }

    func target() throws -> ResizeTarget {
        if let scale {
            guard scale > 0 && scale.isFinite else { throw ValidationError("--scale must be positive, got \(scale)") }
            return .scale(scale)
        }
        if let maxSide {
            guard maxSide > 0 else { throw ValidationError("--max-side must be positive, got \(maxSide)") }
            return .maxSide(maxSide)
        }
        let parts = (size ?? "").lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else {
            throw ValidationError("--size must be WxH with positive integers, e.g. 512x384 (got \(size ?? ""))")
        }
        return .size(width: w, height: h)
    }

    func run() throws {
        let folder = try DatasetFolder.scan(root: data)
        let outcome = try folder.resized(to: target(), out: out, progress: PreprocessReporting.progress("resized"))
        try PreprocessReporting.finish(outcome, summary: "wrote \(outcome.written) resized pair(s) to \(out)")
    }
}
