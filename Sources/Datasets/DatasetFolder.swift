import FileSafety
import Foundation
import ImageCodecs

/// A dataset on disk: `images/` and `masks/` folders whose files pair up by base name
/// (`a.jpg` with `a.png`). Only .png, .jpg, .jpeg, .tif and .tiff (any case) count; hidden files and other
/// files are ignored. Pairs are sorted by name, so every scan gives the same order.
public struct DatasetFolder: Equatable, Sendable {
    /// The images folder.
    public let imagesDirectory: String
    /// The masks folder.
    public let masksDirectory: String
    /// Matched pairs, sorted by name.
    public let pairs: [SamplePair]
    /// Pairing problems found while scanning: unmatched files, ambiguous names, or no files at all.
    public let pairingProblems: [DatasetProblem]

    /// Scans `root/images` and `root/masks`.
    public static func scan(root: String) throws -> DatasetFolder {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: base, isDirectory: &isFolder) {
            throw DatasetError.unreadableDirectory(path: root, reason: "no such folder")
        }
        if !isFolder.boolValue { throw DatasetError.unreadableDirectory(path: root, reason: "a file, not a dataset folder with images/ and masks/") }
        return try scan(images: base + "/images", masks: base + "/masks")
    }

    /// Scans an images folder and a masks folder.
    public static func scan(images: String, masks: String) throws -> DatasetFolder {
        var problems: [DatasetProblem] = []
        let imageFiles = try listImageFiles(images, problems: &problems)
        let maskFiles = try listImageFiles(masks, problems: &problems)
        let imagesByName = group(imageFiles, problems: &problems)
        let masksByName = group(maskFiles, problems: &problems)
        var pairs: [SamplePair] = []
        for name in imagesByName.keys.sorted() {
            if let mask = masksByName[name] {
                pairs.append(SamplePair(name: name, imagePath: imagesByName[name]!, maskPath: mask))
            } else {
                problems.append(.imageWithoutMask(image: imagesByName[name]!))
            }
        }
        for name in masksByName.keys.sorted() where imagesByName[name] == nil {
            problems.append(.maskWithoutImage(mask: masksByName[name]!))
        }
        // Empty folders are a problem too, so that no command goes on with zero pairs.
        if pairs.isEmpty && problems.isEmpty { problems.append(.noPairs(images: images, masks: masks)) }
        return DatasetFolder(imagesDirectory: images, masksDirectory: masks, pairs: pairs, pairingProblems: problems)
    }

    /// Files with an image extension in `directory` as (base name, path), sorted by file name.
    /// Sub-folders are skipped; a FIFO, device or socket with an image name is a problem (reading
    /// it would block or never end), never listed.
    static func listImageFiles(_ directory: String, problems: inout [DatasetProblem]) throws -> [(name: String, path: String)] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw DatasetError.unreadableDirectory(path: directory, reason: reason)
        }
        var files: [(name: String, path: String)] = []
        for entry in entries.sorted() where !entry.hasPrefix(".") {
            guard let dot = entry.lastIndex(of: "."), dot != entry.startIndex,
                  ImageFormat(pathExtension: String(entry[entry.index(after: dot)...])) != nil else { continue }
            let path = directory + "/" + entry
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if let kind = RegularFile.nonRegularKind(at: path) {
                problems.append(.undecodable(path: path, reason: "not a regular file (\(kind))"))
                continue
            }
            files.append((String(entry[..<dot]), path))
        }
        return files
    }

    /// Base name → path; names seen more than once become a `duplicateName` problem and are dropped.
    private static func group(_ files: [(name: String, path: String)], problems: inout [DatasetProblem]) -> [String: String] {
        var byName: [String: [String]] = [:]
        for file in files { byName[file.name, default: []].append(file.path) }
        var unique: [String: String] = [:]
        for (name, paths) in byName.sorted(by: { $0.key < $1.key }) {
            if paths.count == 1 { unique[name] = paths[0] } else { problems.append(.duplicateName(name: name, paths: paths)) }
        }
        return unique
    }
}
