import FileSafety
import Foundation

/// `OUT/.unet-predict.json` or `OUT/.unet-export.json`: the files a command has written to a
/// folder, so that a later run may replace them but never a file the user put there.
struct OutputManifest {
    enum Writer: String {
        case predict, export
        var fileName: String { ".unet-\(rawValue).json" }
    }

    private(set) var files: Set<String>
    let path: String

    init(folder: String, of writer: Writer) {
        path = (folder as NSString).appendingPathComponent(writer.fileName)
        // Read like every other input: a regular file, of bounded size (a list of names).
        if let bytes = try? RegularFile.read(path, maxBytes: 64 << 20),
           let list = try? JSONDecoder().decode([String].self, from: Data(bytes)) {
            files = Set(list)
        } else {
            files = []
        }
    }

    func contains(_ relative: String) -> Bool { files.contains(relative) }

    /// Records `relative` paths as written by the command (before writing them: a run killed
    /// midway leaves only its own files listed).
    mutating func record(_ relative: [String]) throws {
        files.formUnion(relative)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(Array(try encoder.encode(files.sorted())), to: path)
    }
}
