#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AtomicFile {
    /// Creates the folder `path` and its missing parents (like `mkdir -p`) and checks that files
    /// can be created in it; throws `FileWriteError.unwritable(path:reason:)` naming the part of the
    /// path that failed and why (a parent that is a file, no permission, a read-only or full disk),
    /// so that a run fails before its work starts rather than at its first save.
    public static func createDirectory(_ path: String) throws {
        func refuse(_ reason: String) -> FileWriteError { .unwritable(path: path, reason: "cannot create the output folder: \(reason)") }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            var info = stat()
            if stat(prefix, &info) == 0 {
                if (info.st_mode & S_IFMT) != S_IFDIR { throw refuse("\(prefix) is a file, not a folder") }
                continue
            }
            if errno != ENOENT { throw refuse("\(prefix): \(String(cString: strerror(errno)))") }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw refuse("\(prefix): \(String(cString: strerror(errno)))") }
        }
        if access(path, W_OK | X_OK) != 0 { throw refuse("\(path): \(String(cString: strerror(errno)))") }
    }
}
