import FileSafety

/// Whole-file reads of image files with errors that carry the path and the reason.
enum FileBytes {
    /// The file's bytes; throws `ImageError.unreadable` with strerror's text, or
    /// `ImageError.unsupported` for a file that is not a regular file or is over the size that
    /// `limits` allow (see `DecodeLimits.maxFileBytes`).
    static func read(_ path: String, limits: DecodeLimits) throws -> [UInt8] {
        do {
            return try RegularFile.read(path, maxBytes: limits.maxFileBytes)
        } catch let error as RegularFileError {
            if error.isSystemError { throw ImageError.unreadable(path: path, reason: error.reason) }
            throw ImageError.unsupported(path: path, reason: error.reason)
        }
    }
}
