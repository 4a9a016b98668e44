import FileSafety
import Foundation
import ImageCodecs

/// Called after each file of a long loop: files done so far, files in all, the name just handled.
public typealias PreprocessProgress = (_ done: Int, _ total: Int, _ name: String) -> Void

/// What a dataset-writing step did: how many files it wrote and every problem it met (it goes
/// on past a bad file, so that one run reports them all).
public struct PreprocessOutcome: Equatable, Sendable {
    /// Files written (images, masks, tiles or weight maps, as the step counts them).
    public var written: Int
    /// Problems, each naming its file; empty when everything went through.
    public var problems: [DatasetProblem]

    /// An outcome from its parts.
    public init(written: Int = 0, problems: [DatasetProblem] = []) {
        self.written = written
        self.problems = problems
    }
}

enum PreprocessIO {
    /// Creates `path` and its parents; a failure names the part of the path that failed and why
    /// (a parent that is a file, no permission), as every command's output folders do.
    static func makeDirectory(_ path: String) throws {
        try AtomicFile.createDirectory(path)
    }

    /// `base/name` without a doubled slash.
    static func join(_ base: String, _ name: String) -> String {
        base.hasSuffix("/") ? base + name : base + "/" + name
    }

    /// The problems an error thrown while handling `path` stands for.
    static func problems(from error: Error, path: String) -> [DatasetProblem] {
        switch error {
        case let e as ImageError: return [.undecodable(path: e.path == "<memory>" ? path : e.path, reason: e.reason)]
        case DatasetError.badMask(let p, let reason): return [.badMask(mask: p, reason: reason)]
        case DatasetError.invalid(let list): return list
        default: return [.undecodable(path: path, reason: "\(error)")]
        }
    }

    /// Reads a mask file as a raw image, refusing JPEG (lossy compression corrupts labels).
    static func readMaskImage(_ path: String, limits: DecodeLimits) throws -> Image {
        if try ImageInfo.read(contentsOf: path, limits: limits).format == .jpeg {
            throw DatasetError.invalid([.jpegMask(mask: path)])
        }
        return try Image.read(contentsOf: path, limits: limits)
    }

    /// Copies `root/file` into `out/file` atomically when it exists (classes.json and the like:
    /// regular files of at most 256 MiB, as `DatasetSplit` reads).
    static func copyIfPresent(_ file: String, from root: String, to out: String) throws {
        let source = join(root, file)
        guard FileManager.default.fileExists(atPath: source) else { return }
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(source, maxBytes: 256 << 20)
        } catch let error as RegularFileError {
            throw error.isSystemError ? ImageError.unreadable(path: source, reason: error.reason) : ImageError.unsupported(path: source, reason: error.reason)
        }
        try AtomicFile.write(bytes, to: join(out, file))
    }
}
