/// A file or folder that could not be written. Every case names the path, so that a
/// command-line user sees which file failed; modules with their own error types (ImageCodecs,
/// SafeTensors) map these cases onto them.
public enum FileWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A folder or a lock file could not be created (`reason` says which part and why).
    case unwritable(path: String, reason: String)
    /// An atomic write failed at `step` before the rename: the temporary file is removed and any
    /// previous file at `path` is unchanged. `message` is the system's reason.
    case notReplaced(path: String, step: String, message: String)
    /// The new file is in place, but the folder holding it could not be flushed, so the rename
    /// may not survive a power loss.
    case folderNotSynced(folder: String, operation: String, message: String)

    /// The file or folder the error is about.
    public var path: String {
        switch self {
        case .unwritable(let path, _), .notReplaced(let path, _, _): return path
        case .folderNotSynced(let folder, _, _): return folder
        }
    }

    /// What went wrong, without the path.
    public var reason: String {
        switch self {
        case .unwritable(_, let reason): return "cannot write file (\(reason))"
        case .notReplaced(_, let step, let message): return "cannot write (\(step); any previous file is unchanged): \(message)"
        case .folderNotSynced(_, let operation, let message): return "cannot \(operation): \(message)"
        }
    }

    public var description: String { "\(path): \(reason)" }
}
