#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement: the bytes go to a temporary file in the same directory, which is
/// flushed to disk (fsync) and then renamed over the target, so readers see the old file or the
/// new one, never a partial one. Other modules (checkpoints, reports) reuse it.
public enum AtomicFile {
    /// Atomically replaces (or creates) `path` with `bytes`; throws `ImageError.unwritable`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        func failure(_ what: String) -> ImageError {
            .unwritable(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]).isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(directory)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw failure("cannot create a temporary file in \(directory)") }
        let temporary = String(cString: template)
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = failure("write failed")
                close(fd)
                throw error
            }
            written += n
        }
        if fchmod(fd, 0o644) != 0 || fsync(fd) != 0 {
            let error = failure("fsync failed")
            close(fd)
            throw error
        }
        if close(fd) != 0 { throw failure("close failed") }
        if rename(temporary, path) != 0 { throw failure("rename failed") }
        ok = true
        // Make the rename itself durable.
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }
}
