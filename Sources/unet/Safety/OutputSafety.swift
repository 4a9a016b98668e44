import FileSafety
import Foundation
import ImageCodecs

/// The rules that keep a command's outputs off the user's inputs, compared as the file system
/// sees them (`ResolvedPath`: symbolic links, `.` and `..` resolved).
enum OutputSafety {
    /// An input of a command, for the messages.
    struct Input {
        let path: String
        let role: String
        let isFolder: Bool
    }

    /// A dataset folder as an input: an output may lie inside it (e.g. `DATA/weights`), but not
    /// be the folder itself nor lie in its images/ or masks/, where it would be read as data.
    static func dataset(_ root: String, role: String = "dataset folder") -> [Input] {
        [Input(path: root, role: role, isFolder: false)] + ["images", "masks"].map {
            Input(path: (root as NSString).appendingPathComponent($0), role: "\(role)'s \($0) folder", isFolder: true)
        }
    }

    /// Refuses an output folder that is an input folder or lies inside one, and one that is an
    /// input file. (An input folder inside the output folder is fine: outputs are named files.)
    static func checkFolder(_ out: String, option: String = "--out", against inputs: [Input]) throws {
        let target = ResolvedPath(out)
        for input in inputs {
            let source = ResolvedPath(input.path)
            if target == source {
                throw CommandFailure("\(option) \(out) is the \(input.role) \(input.path); writing there would replace what you gave as input. Choose another folder")
            }
            if input.isFolder && target.isInside(source) {
                throw CommandFailure("\(option) \(out) is inside the \(input.role) \(input.path); choose a folder outside it")
            }
        }
    }

    /// Refuses an output file that is one of the inputs (a file, or any file inside an input
    /// folder) or an existing folder.
    static func checkFile(_ out: String, option: String, against inputs: [Input]) throws {
        let target = ResolvedPath(out)
        for input in inputs {
            let source = ResolvedPath(input.path)
            if target == source || (input.isFolder && target.isInside(source)) {
                let what = target == source ? "is the \(input.role)" : "lies in the \(input.role) \(input.path)"
                throw CommandFailure("\(option) \(out) \(what); writing it would replace or add to your input. Choose another file")
            }
        }
        if isDirectory(out) { throw CommandFailure("\(option) \(out) is a folder; give a file name") }
        try checkWritableFolder(of: out, option: option)
    }

    /// Refuses an output folder that could not be created or written, without creating it: its
    /// deepest existing part must be a folder that takes new entries (or, when the folder exists,
    /// new files). For commands that read data before they create their folder.
    static func checkCreatableFolder(_ out: String) throws {
        // Worded as AtomicFile.createDirectory words it, which gives the same refusal later.
        func refuse(_ reason: String) -> FileWriteError { .unwritable(path: out, reason: "cannot create the output folder: \(reason)") }
        var path = out.isEmpty ? "." : out
        var info = stat()
        while stat(path, &info) != 0 {
            guard errno == ENOENT || errno == ENOTDIR else { throw refuse("\(path): \(String(cString: strerror(errno)))") }
            let parent = (path as NSString).deletingLastPathComponent
            path = parent.isEmpty ? "." : parent
        }
        if (info.st_mode & S_IFMT) != S_IFDIR { throw refuse("\(path) is a file, not a folder") }
        if access(path, W_OK | X_OK) != 0 { throw refuse("\(path): \(String(cString: strerror(errno)))") }
    }

    /// Refuses a file output whose folder does not exist, is not a folder or takes no new files
    /// (the file is written beside itself and renamed into place), so that a command fails
    /// before it reads data or times anything rather than at the end.
    static func checkWritableFolder(of out: String, option: String) throws {
        let parent = (out as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        var info = stat()
        let reason: String?
        if stat(folder, &info) != 0 {
            reason = errno == ENOENT ? "the folder \(folder) does not exist" : "\(folder): \(String(cString: strerror(errno)))"
        } else if (info.st_mode & S_IFMT) != S_IFDIR {
            reason = "\(folder) is not a folder"
        } else if access(folder, W_OK | X_OK) != 0 {
            reason = "no permission to create files in \(folder)"
        } else {
            reason = nil
        }
        if let reason { throw CommandFailure("\(option) \(out): cannot be written: \(reason)") }
    }

    /// Refuses to replace an existing file that is not a JSON report (its first byte is not `{`):
    /// a mistyped `--json` must not turn a checkpoint or an image into a report.
    static func checkReplaceableReport(_ out: String, option: String) throws {
        guard let head = try existingFileHead(out, option: option, bytes: 64) else { return }
        guard let first = head.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }), first != UInt8(ascii: "{") else { return }
        throw CommandFailure("\(option) \(out) exists and is not a JSON report; it is left as it is. Choose another file name")
    }

    /// The first `bytes` bytes of an existing output file (nil when there is none), read to
    /// decide whether it may be replaced; refuses an existing path that is not a regular file.
    static func existingFileHead(_ out: String, option: String, bytes: Int) throws -> Data? {
        var info = stat()
        guard stat(out, &info) == 0 else { return nil }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw CommandFailure("\(option) \(out) exists and is not a regular file; choose another file name") }
        guard let handle = FileHandle(forReadingAtPath: out) else { return Data() }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: bytes)) ?? Data()
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
