import Foundation

/// Keeps `unet export` from replacing a file that is not an earlier export: an existing `--out`
/// must start as the format written there does (an ONNX model's first field, a zip's
/// signature), and an existing folder must be empty or hold an earlier package (`rdf.yaml`).
enum ExportTarget {
    enum Kind {
        case onnx, zip, folder
        var signature: [UInt8] { self == .onnx ? [0x08] : [0x50, 0x4B, 0x03, 0x04] }
        var what: String { self == .onnx ? "an ONNX model" : "a zip file" }
    }

    static func checkReplaceable(_ out: String, kind: Kind) throws {
        var info = stat()
        guard stat(out, &info) == 0 else { return }
        if kind == .folder {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw CommandFailure("--out \(out) exists and is not a folder; choose another name") }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
            if !entries.isEmpty && !entries.contains("rdf.yaml") {
                throw CommandFailure("--out \(out) is a folder holding other files and no rdf.yaml; give an empty or new folder")
            }
            return
        }
        guard let head = try OutputSafety.existingFileHead(out, option: "--out", bytes: 4) else { return }
        if !head.isEmpty && !head.starts(with: kind.signature) {
            throw CommandFailure("--out \(out) exists and is not \(kind.what); it is left as it is. Choose another file name")
        }
    }
}
