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
        var template = Array("\(directory)/\(temporaryTemplate(for: name))".utf8CString)
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

    /// The longest file name Linux file systems take, in bytes.
    static let maximumNameBytes = 255

    /// `mkstemp` template of the temporary file for a file named `name`: `.NAME.tmp-XXXXXX`, or
    /// `.unet.tmp-XXXXXX` when that would be longer than a file name may be, so that every name
    /// that can exist can also be written.
    static func temporaryTemplate(for name: String) -> String {
        let preferred = ".\(name).tmp-XXXXXX"
        return preferred.utf8.count <= maximumNameBytes ? preferred : ".unet.tmp-XXXXXX"
    }

    /// Whether `name` is one of this writer's temporary files (`.….tmp-` and six characters).
    public static func isTemporaryName(_ name: String) -> Bool {
        let suffix = name.suffix(6)
        return name.hasPrefix(".") && name.count > 12 && name.dropLast(6).hasSuffix(".tmp-")
            && suffix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// Removes temporary files that a killed process left in `directory` (they are hidden and
    /// never read in place of their target; this reclaims their space). Returns how many.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> Int {
        guard let dir = opendir(directory) else { return 0 }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if isTemporaryName(name) { names.append(name) }
        }
        closedir(dir)
        var removed = 0
        for name in names where unlink(directory + "/" + name) == 0 { removed += 1 }
        return removed
    }
}
