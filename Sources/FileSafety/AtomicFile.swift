#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement: the bytes go to a temporary file in the same folder, which is
/// flushed to disk (fsync) and then renamed over the target, so readers see the old file or the
/// new one, never a partial one; the folder is then flushed so that the rename itself survives a
/// power loss. Every file the tool writes (images, checkpoints, reports) goes through here.
public enum AtomicFile {
    /// Atomically replaces (or creates) `path` with `bytes`. Throws `FileWriteError.notReplaced`
    /// (naming the file and the failed step; the temporary file is removed and any previous file
    /// is unchanged) or, once the file is in place, `.folderNotSynced`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        func notReplaced(_ step: String) -> FileWriteError {
            .notReplaced(path: path, step: step, message: systemMessage())
        }
        let (directory, name) = split(path)
        var template = Array("\(directory)/\(temporaryTemplate(for: name))".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw notReplaced("cannot create a temporary file in \(directory)") }
        let temporary = String(cString: template)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = notReplaced("writing the temporary file")
                close(fd)
                throw error
            }
            written += n
        }
        // mkstemp creates the file 0600; the target gets the usual 0644.
        if fchmod(fd, 0o644) != 0 {
            let error = notReplaced("setting the temporary file's permissions")
            close(fd)
            throw error
        }
        if fsync(fd) != 0 {
            let error = notReplaced("fsync of the temporary file")
            close(fd)
            throw error
        }
        if close(fd) != 0 { throw notReplaced("closing the temporary file") }
        if rename(temporary, path) != 0 { throw notReplaced("renaming the temporary file onto it") }
        renamed = true
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd < 0 { throw FileWriteError.folderNotSynced(folder: directory, operation: "open directory", message: systemMessage()) }
        defer { close(dirfd) }
        if fsync(dirfd) != 0 { throw FileWriteError.folderNotSynced(folder: directory, operation: "fsync directory", message: systemMessage()) }
    }

    /// The longest file name Linux file systems take, in bytes.
    public static let maximumNameBytes = 255

    /// `mkstemp` template of the temporary file for a file named `name`: `.NAME.tmp-XXXXXX`, or
    /// `.unet.tmp-XXXXXX` when that would be longer than a file name may be, so that every name
    /// that can exist can also be written.
    public static func temporaryTemplate(for name: String) -> String {
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

    /// The folder (`.` for a bare name, `/` at the root) and the file name of `path`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    static func systemMessage() -> String { String(cString: strerror(errno)) }

    /// write(2), under a name that the static method `write` does not shadow.
    private static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
#if canImport(Glibc)
        Glibc.write(fd, buffer, count)
#else
        Darwin.write(fd, buffer, count)
#endif
    }
}
