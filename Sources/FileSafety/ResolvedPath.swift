#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A path as the file system sees it: absolute, with every symbolic link and `.`/`..` of its
/// existing part resolved (`realpath`), and the part that does not exist yet appended. Two
/// spellings of one file (`a/../b/x.png`, a symlink to it) give equal values, which is what
/// the commands compare to keep their outputs off their inputs.
public struct ResolvedPath: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ path: String) {
        value = ResolvedPath.resolve(path.isEmpty ? "." : path)
    }

    public var description: String { value }

    /// True when this path is `folder` itself or lies somewhere below it.
    public func isSameOrInside(_ folder: ResolvedPath) -> Bool {
        value == folder.value || value.hasPrefix(folder.value == "/" ? "/" : folder.value + "/")
    }

    /// True when this path lies strictly below `folder`.
    public func isInside(_ folder: ResolvedPath) -> Bool { value != folder.value && isSameOrInside(folder) }

    private static func resolve(_ path: String) -> String {
        if let real = realPath(path) { return real }
        // Not there (yet): resolve the parent and append the last component.
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else {
            return join(realPath(".") ?? ".", trimmed)
        }
        let parent = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        return join(resolve(parent), String(trimmed[trimmed.index(after: slash)...]))
    }

    private static func join(_ parent: String, _ name: String) -> String {
        switch name {
        case "", ".": return parent
        case "..":
            guard let slash = parent.lastIndex(of: "/"), parent != "/" else { return "/" }
            return slash == parent.startIndex ? "/" : String(parent[..<slash])
        default: return parent == "/" ? "/" + name : parent + "/" + name
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
