import FileSafety

/// The file-system primitives of `FileSafety`, with their errors as `SafeTensorsError.io`.
enum FileIO {
    /// The whole contents of the regular file at `path` (a FIFO, a device or a folder is refused
    /// without blocking).
    static func readAll(path: String) throws -> [UInt8] {
        do {
            return try RegularFile.read(path, maxBytes: .max)
        } catch let error as RegularFileError {
            throw SafeTensorsError.io(path: error.path, operation: error.operation, message: error.reason)
        }
    }

    /// Replaces `path` atomically with `bytes` (see `AtomicFile.write`). On failure the error
    /// names `path`, the step that failed and the system's reason; any previous file is unchanged.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        do {
            try AtomicFile.write(bytes, to: path)
        } catch let error as FileWriteError {
            switch error {
            case .notReplaced(let path, let step, let message):
                throw SafeTensorsError.io(path: path, operation: "write (\(step); any previous file is unchanged)", message: message)
            case .folderNotSynced(let folder, let operation, let message):
                throw SafeTensorsError.io(path: folder, operation: operation, message: message)
            case .unwritable(let path, let reason):
                throw SafeTensorsError.io(path: path, operation: "write", message: reason)
            }
        }
    }
}
