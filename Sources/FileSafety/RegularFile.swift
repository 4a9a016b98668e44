#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads of regular files only, with a size cap. A FIFO, a device (`/dev/zero`), a
/// socket or a directory is refused by name; opening never blocks (O_NONBLOCK: a FIFO with no
/// writer would otherwise block `open` forever), and no read takes more than `maxBytes`.
public enum RegularFile {
    /// The bytes of the regular file at `path`; throws `RegularFileError` naming the path.
    public static func read(_ path: String, maxBytes: Int) throws -> [UInt8] {
        func failure(_ reason: String) -> RegularFileError {
            RegularFileError(path: path, operation: "read", reason: reason, isSystemError: false)
        }
        func systemFailure(_ operation: String) -> RegularFileError {
            RegularFileError(path: path, operation: operation, reason: String(cString: strerror(errno)), isSystemError: true)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 { throw systemFailure("open") }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw systemFailure("stat") }
        if let kind = kind(info.st_mode) { throw failure("not a regular file (\(kind))") }
        // Regular files never block; clear the flag anyway so reads behave as usual.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        let size = Int(info.st_size)
        if size > maxBytes { throw failure("file is \(size) bytes; the limit for this kind of file is \(maxBytes) bytes") }
        var bytes = [UInt8](repeating: 0, count: size)
        var count = 0
        while count < size {
            let n = bytes.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw systemFailure("read")
            }
            if n == 0 { break }
            count += n
        }
        if count < size {
            bytes.removeSubrange(count...)
            return bytes
        }
        // The file may have grown since `fstat`: read on until end of file, still cut off at
        // `maxBytes`. Through a separate chunk, so that the usual single probe at end of file
        // does not grow (and copy) a buffer the size of the whole file.
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw systemFailure("read")
            }
            if n == 0 { break }
            if bytes.count + n > maxBytes { throw failure("file grew past the limit for this kind of file, \(maxBytes) bytes, while being read") }
            bytes.append(contentsOf: chunk[..<n])
        }
        return bytes
    }

    /// What is at `path` (symbolic links followed) when it is not a regular file, in words
    /// ("a FIFO", "a directory"...); nil for a regular file or when nothing is there. Does not open it.
    public static func nonRegularKind(at path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return kind(info.st_mode)
    }

    /// read(2), under a name that the static method `read` does not shadow.
    private static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
#if canImport(Glibc)
        Glibc.read(fd, buffer, count)
#else
        Darwin.read(fd, buffer, count)
#endif
    }

    /// What a file type other than a regular file is, in words; nil for a regular file.
    static func kind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "an unknown kind of file"
        }
    }
}

/// A file that could not be read: missing, not a regular file, too large, a read error.
public struct RegularFileError: Error, Equatable, CustomStringConvertible {
    public let path: String
    /// The step that failed: `open`, `stat` or `read` (refusals of kind or size are `read`).
    public let operation: String
    /// Why, without the path (e.g. `not a regular file (a FIFO)`).
    public let reason: String
    /// True when the system refused (strerror's text: missing, no permission, an I/O error);
    /// false when the file was refused for its kind or size.
    public let isSystemError: Bool
    public var description: String { "\(path): \(reason)" }
}
