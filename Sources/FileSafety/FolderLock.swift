#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Another process holds the folder.
public struct FolderInUse: Error, CustomStringConvertible {
    public let folder: String
    /// What the lock file says about its holder ("PID 1234, unet train"), when readable.
    public let holder: String?

    public var description: String {
        "\(folder) is in use by another unet process (\(holder ?? "holder unknown")); wait for it to end or choose another output folder"
    }
}

/// An exclusive advisory lock (`flock`) on `FOLDER/.unet.lock`, so that one output folder
/// belongs to one process at a time. The kernel drops the lock when the process ends however it
/// ends, so a killed run never leaves a stale lock; the file itself stays (hidden, a few bytes)
/// and holds the holder's PID and command for the message the next process prints.
public final class FolderLock {
    public static let fileName = ".unet.lock"
    private let fd: Int32

    /// Takes the lock on `folder` (which must exist), describing the holder as `purpose`
    /// (e.g. "unet train"); throws `FolderInUse` when another process holds it.
    public init(folder: String, purpose: String) throws {
        let path = folder.hasSuffix("/") ? folder + FolderLock.fileName : folder + "/" + FolderLock.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileWriteError.unwritable(path: path, reason: "cannot create the lock file: \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = FolderLock.readHolder(fd)
            close(fd)
            throw FolderInUse(folder: folder, holder: holder)
        }
        let text = Array("PID \(getpid()), \(purpose)\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    private static func readHolder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\n").first.map(String.init)
        // Only printable ASCII reaches the terminal.
        return text.map { String($0.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init)) }
    }
}
