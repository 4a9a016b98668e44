import FileSafety
import Foundation

/// Keeps `unet export` from replacing what it did not write. An existing `--out` file is
/// replaced only when it is an earlier export of this tool (an ONNX model whose producer is
/// `unet`; a zip whose first entry is an `rdf.yaml` with this tool's `config: unet:` section),
/// or with `--overwrite`. A package folder keeps the list of files it holds from this tool
/// (`.unet-export.json`); any other file in the way is named and refused unless `--overwrite`,
/// and a file that is one of the export's inputs is never written over.
enum ExportTarget {
    enum Kind {
        case onnx, zip
        var what: String { self == .onnx ? "an ONNX model written by unet export" : "a bioimage.io package written by unet export" }
    }

    static func checkReplaceable(_ out: String, kind: Kind, overwrite: Bool) throws {
        guard let head = try OutputSafety.existingFileHead(out, option: "--out", bytes: 1 << 20), !head.isEmpty, !overwrite else { return }
        let ours = kind == .onnx ? isUNetONNX(Array(head)) : isUNetPackageZip(Array(head))
        if !ours {
            throw CommandFailure("--out \(out) exists and is not \(kind.what); it is left as it is. Choose another file name, "
                                 + "or pass --overwrite to replace it")
        }
    }

    /// An ONNX ModelProto starting as this tool writes one: ir_version (field 1), then
    /// producer_name (field 2) "unet".
    static func isUNetONNX(_ bytes: [UInt8]) -> Bool {
        var i = 0
        guard bytes.count > 2, bytes[0] == 0x08 else { return false }
        i = 1
        while i < bytes.count && bytes[i] & 0x80 != 0 { i += 1 }
        i += 1
        let producer = Array("unet".utf8)
        return bytes.count >= i + 2 + producer.count && bytes[i] == 0x12 && Int(bytes[i + 1]) == producer.count
            && Array(bytes[(i + 2)..<(i + 2 + producer.count)]) == producer
    }

    /// A zip whose first entry is a stored `rdf.yaml` holding this tool's `config: unet:` section.
    static func isUNetPackageZip(_ bytes: [UInt8]) -> Bool {
        func le(_ at: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        guard bytes.count >= 30, bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), le(8, 2) == 0 else { return false }
        let size = le(18, 4), nameLength = le(26, 2), extra = le(28, 2)
        let start = 30 + nameLength + extra
        guard bytes.count >= start + size, Array(bytes[30..<(30 + nameLength)]) == Array("rdf.yaml".utf8) else { return false }
        return String(decoding: bytes[start..<(start + size)], as: UTF8.self).contains("\nconfig:\n  unet:\n")
    }

    /// Refuses a package folder that holds what this tool did not write, or an input, under the
    /// package's names; writes nothing.
    static func checkFolder(_ out: String, files: [String], inputs: [OutputSafety.Input], overwrite: Bool) throws {
        var info = stat()
        if stat(out, &info) == 0 && (info.st_mode & S_IFMT) != S_IFDIR {
            throw CommandFailure("--out \(out) exists and is not a folder; choose another name (a name ending in .zip writes a zip)")
        }
        try refuse(problems(out, files: files, inputs: inputs, manifest: OutputManifest(folder: out, of: .export), overwrite: overwrite))
    }

    /// Checks every file of a package folder before anything is written, creates the folder and
    /// records the files in its manifest. (No lock file: a package folder is uploaded as it is,
    /// and each of its files is written atomically.)
    static func prepareFolder(_ out: String, files: [String], inputs: [OutputSafety.Input], overwrite: Bool) throws {
        try checkFolder(out, files: files, inputs: inputs, overwrite: overwrite)
        try AtomicFile.createDirectory(out)
        var manifest = OutputManifest(folder: out, of: .export)
        AtomicFile.removeStaleTemporaries(in: out)
        try manifest.record(files)
    }

    static func problems(_ out: String, files: [String], inputs: [OutputSafety.Input], manifest: OutputManifest, overwrite: Bool) -> [String] {
        var problems: [String] = [], foreign: [String] = []
        for name in files {
            let path = (out as NSString).appendingPathComponent(name)
            let target = ResolvedPath(path)
            if let input = inputs.first(where: { ResolvedPath($0.path) == target }) {
                problems.append("\(path) is the \(input.role) \(input.path): the package would write its \(name) over it; "
                                + "export into another folder (or move the \(input.role))")
                continue
            }
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                problems.append("\(path) is a folder where the package writes its \(name); export into another folder")
            } else if !manifest.contains(name) {
                foreign.append(path)
            }
        }
        if !foreign.isEmpty && !overwrite {
            problems.append("--out \(out) holds \(foreign.count) file(s) that unet export did not write and would replace ("
                            + foreign.joined(separator: ", ") + "); export into an empty or new folder, or pass --overwrite to replace them")
        }
        return problems
    }

    private static func refuse(_ problems: [String]) throws {
        guard !problems.isEmpty else { return }
        throw CommandFailure(problems.count == 1 ? problems[0] + "; nothing was written"
            : "\(problems.count) problems, nothing was written:\n" + problems.map { "  " + $0 }.joined(separator: "\n"))
    }
}
