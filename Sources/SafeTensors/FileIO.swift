#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX file helpers that report `errno` through `SafeTensorsError.io`.
enum FileIO {
    static func errnoMessage() -> String { String(cString: strerror(errno)) }

    static func failure(_ path: String, _ operation: String) -> SafeTensorsError {
        .io(path: path, operation: operation, message: errnoMessage())
    }

    /// The whole contents of the regular file at `path`. Opened with O_NONBLOCK, so that a
    /// FIFO without a writer is refused instead of blocking `open` forever.
    static func readAll(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw failure(path, "open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path, "stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError.io(path: path, operation: "read", message: "not a regular file (\(kind(info.st_mode)))")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path, "read")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// A file type other than a regular file, in words.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "an unknown kind of file"
        }
    }

    /// Writes all of `bytes` to `fd`, retrying partial writes and EINTR.
    static func writeAll(fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure(path, "write")
                }
                offset += n
            }
        }
    }

    /// Replaces `path` atomically with `bytes`: writes a temporary file in the
    /// same directory (`.NAME.tmp-PID-RANDOM`, hidden, never mistaken for `path`), fsyncs it,
    /// renames it over `path`, then fsyncs the directory. On failure (a full disk, a folder
    /// without write permission) the temporary file is removed, `path` is left untouched and the
    /// error names `path`, the step that failed and the system's reason.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        func failed(_ step: String) -> SafeTensorsError {
            .io(path: path, operation: "write (\(step); any previous file is unchanged)", message: errnoMessage())
        }
        var suffix = UInt64.random(in: 0...UInt64.max)
        var tempPath = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            let name = "\(temporaryPrefix(for: base))\(getpid())-\(String(suffix, radix: 36))"
            // A name that fits whenever the final one does (255 bytes is the file-name limit).
            tempPath = "\(directory)/" + (name.utf8.count <= 255 ? name : ".unet.tmp-\(getpid())-\(String(suffix, radix: 36))")
            fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
            suffix = UInt64.random(in: 0...UInt64.max)
        }
        guard fd >= 0 else { throw failed("cannot create a temporary file in \(directory)") }
        var renamed = false
        defer { if !renamed { unlink(tempPath) } }
        do {
            try writeAll(fd: fd, bytes, path: tempPath)
            guard fsync(fd) == 0 else { throw failed("fsync of the temporary file") }
        } catch {
            let saved = errno
            close(fd)
            errno = saved
            if case .io(_, "write", _)? = error as? SafeTensorsError { throw failed("writing the temporary file") }
            throw error
        }
        guard close(fd) == 0 else { throw failed("closing the temporary file") }
        guard rename(tempPath, path) == 0 else { throw failed("renaming the temporary file onto it") }
        renamed = true
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else { throw failure(directory, "open directory") }
        defer { close(dirfd) }
        guard fsync(dirfd) == 0 else { throw failure(directory, "fsync directory") }
    }

    /// The name prefix of `writeAtomically`'s temporary files for a file named `base`:
    /// `.BASE.tmp-` (leftovers of a killed process can be found and removed by it).
    static func temporaryPrefix(for base: String) -> String { ".\(base).tmp-" }
}
