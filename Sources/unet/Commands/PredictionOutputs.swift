import FileSafety
import Foundation
import ImageCodecs

/// Every file one `unet predict` run will write, planned before the first is written so that
/// the run can be refused as a whole: two inputs that would write the same file (`a.png` and
/// `a.jpg`, `d1/x.png` and `d2/x.png` given as files, one file given twice, `x.png` beside
/// `x_overlay.png` with overlays), an output that is an input, a name too long to exist, and
/// existing files that `unet predict` did not write (a ground-truth folder given as `--out`).
struct PredictionOutputs {
    struct Item {
        let input: ImageFiles.Entry
        /// Paths relative to the output folder: the mask first, then overlay and probabilities.
        let files: [String]
        var mask: String { files[0] }
    }

    let folder: String
    let items: [Item]

    /// Output names for `entries`: `NAME.EXT`, `NAME_overlay.png`, `NAME_prob_CLASS.EXT`, where
    /// EXT is the masks' format's (`png`, or `tif` for `--format tiff`); overlays are always PNG.
    init(folder: String, entries: [ImageFiles.Entry], overlay: Bool, probabilityClasses: [String]?, fileExtension: String = "png") {
        self.folder = folder
        items = entries.map { e in
            var files = [e.relativeName + "." + fileExtension]
            if overlay { files.append(e.relativeName + "_overlay.png") }
            for name in probabilityClasses ?? [] {
                files.append(e.relativeName + "_prob_" + name.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "/", with: "_") + "." + fileExtension)
            }
            return Item(input: e, files: files)
        }
    }

    func path(_ relative: String) -> String { (folder as NSString).appendingPathComponent(relative) }

    /// Everything that stops the run before it writes anything, one line each.
    func problems(manifest: OutputManifest, overwrite: Bool) -> [String] {
        var problems: [String] = []
        // One input given twice (also through a symlink or another spelling).
        var seenInputs: [ResolvedPath: String] = [:]
        var distinct: [Item] = []
        for item in items {
            let key = ResolvedPath(item.input.path)
            if let first = seenInputs[key] {
                problems.append("\(item.input.path): given twice (also as \(first)); each image is predicted once")
            } else {
                seenInputs[key] = item.input.path
                distinct.append(item)
            }
        }
        // Outputs: too long, colliding with each other, or landing on an input.
        var writers: [ResolvedPath: String] = [:]
        for item in distinct {
            for file in item.files {
                if let long = file.split(separator: "/").first(where: { $0.utf8.count > 255 }) {
                    problems.append("\(item.input.path): the output name \(long.prefix(40))… is \(long.utf8.count) bytes, over the 255 a file name may have")
                    continue
                }
                let target = ResolvedPath(path(file))
                if let other = writers[target] {
                    problems.append("\(path(file)) would be written for both \(other) and \(item.input.path); rename one of them or predict them into separate folders")
                } else {
                    writers[target] = item.input.path
                }
                if let input = seenInputs[target] {
                    problems.append("\(path(file)) is the input image \(input): predicting would replace it; choose another --out")
                }
            }
        }
        // Existing files that a previous `unet predict` did not write are the user's.
        if !overwrite {
            let foreign = items.flatMap(\.files).filter { FileManager.default.fileExists(atPath: path($0)) && !manifest.contains($0) }
            if !foreign.isEmpty {
                let shown = foreign.prefix(3).map(path).joined(separator: ", ") + (foreign.count > 3 ? ", …" : "")
                problems.append("\(folder) already holds \(foreign.count) file(s) that unet predict did not write and would replace (\(shown)); choose an empty folder, or pass --overwrite to replace them")
            }
        }
        return problems
    }
}
