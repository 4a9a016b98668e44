import FileSafety
import Foundation
import Tensors

/// A deterministic train/validation split, stored as `split.json` in a dataset folder.
public struct DatasetSplit: Codable, Equatable {
    public var train: [String]
    public var validation: [String]

    public init(train: [String], validation: [String]) {
        self.train = train
        self.validation = validation
    }

    /// A seeded random split holding out `fraction` of the names (at least one).
    public static func random(names: [String], fraction: Double, seed: UInt64) -> DatasetSplit {
        var shuffled = names.sorted()
        var rng = SeededGenerator(seed: seed ^ 0x5917)
        shuffled.shuffle(using: &rng)
        let k = min(max(1, Int((Double(names.count) * fraction).rounded())), names.count - 1)
        let validation = Set(shuffled.prefix(k))
        return DatasetSplit(train: names.sorted().filter { !validation.contains($0) }, validation: names.sorted().filter { validation.contains($0) })
    }

    /// The largest split.json read: two lists of image names, a few dozen bytes each; this is
    /// room for millions of images and keeps a wrong file from filling memory.
    public static let maxFileBytes = 256 << 20

    /// `root/split.json`, if present (a regular file of at most `maxFileBytes`).
    public static func read(root: String?) throws -> DatasetSplit? {
        guard let root else { return nil }
        let path = (root as NSString).appendingPathComponent("split.json")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, maxBytes: maxFileBytes)
        } catch let error as RegularFileError {
            throw DatasetError.invalid([.undecodable(path: path, reason: error.isSystemError ? "cannot read file (\(error.reason))" : error.reason)])
        }
        do {
            return try JSONDecoder().decode(DatasetSplit.self, from: Data(bytes))
        } catch {
            let found = (error as? DecodingError)?.fieldDescription ?? "\(error)"
            throw DatasetError.invalid([.undecodable(path: path, reason: "not a valid split file (expected {\"train\": [names], \"validation\": [names]}): \(found)")])
        }
    }

    /// Writes `root/split.json` atomically.
    public func write(root: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)), to: (root as NSString).appendingPathComponent("split.json"))
    }
}
