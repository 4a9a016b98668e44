import Datasets
import FileSafety
import Foundation
import ImageCodecs
import Tensors

/// The training and validation pairs of a run, checked, with the channel and class counts
/// the data implies.
public struct PreparedData {
    public var train: [SamplePair]
    public var validation: [SamplePair]
    public var channels: Int
    public var classCount: Int
    public var classMap: ClassMap?
    /// How the gray masks of the training and validation data are read (decided once for both).
    public var maskEncoding: MaskEncoding
    public var classNames: [String]?
    /// Pixels per class over the training masks.
    public var histogram: [Int]

    /// Scans, pairs and validates the data of `options` (every problem reported at once),
    /// decides the mask encoding of the training and validation masks together, infers classes
    /// (when `inferClasses`) and channels, and splits off validation images.
    public static func load(_ options: TrainingOptions, inferClasses: Bool) throws -> PreparedData {
        let folder: DatasetFolder
        if let images = options.imagesDirectory, let masks = options.masksDirectory {
            folder = try DatasetFolder.scan(images: images, masks: masks)
        } else if let root = options.dataRoot {
            folder = try DatasetFolder.scan(root: root)
        } else {
            throw TrainingError.noData("no training data given (--data DIR, or --images DIR with --masks DIR)")
        }
        let classMap = try options.classMapPath.map { try ClassMap.load(contentsOf: $0) }
        let validationFolder = try options.validationRoot.map { try DatasetFolder.scan(root: $0) }

        // Classes: from the class map, the count given, or inferred from the masks (then refused
        // unless they are a plausible class-index encoding).
        let givenClassCount = classMap?.classCount ?? (inferClasses ? nil : options.model.classes)
        let check = DatasetCheck([folder] + (validationFolder.map { [$0] } ?? []), classCount: givenClassCount, classMap: classMap)
        if !check.problems.isEmpty { throw DatasetError.invalid(check.problems) }
        let classCount = check.classCount
        let trainingMasks = Set(folder.pairs.map(\.maskPath))
        let histogram = check.survey.classHistogram { trainingMasks.contains($0) }

        // Channels: RGB if any image has colour, else gray; mixed sets are converted to RGB.
        var channels = 1
        for pair in folder.pairs + (validationFolder?.pairs ?? []) {
            let info = try ImageInfo.read(contentsOf: pair.imagePath)
            if info.channels >= 3 || info.isIndexed { channels = 3; break }
        }

        var train = folder.pairs, validation: [SamplePair] = []
        if let vf = validationFolder {
            validation = vf.pairs
        } else if let split = try DatasetSplit.read(root: options.dataRoot) {
            let trainNames = Set(split.train), valNames = Set(split.validation)
            train = folder.pairs.filter { trainNames.contains($0.name) }
            validation = folder.pairs.filter { valNames.contains($0.name) }
        } else if options.validationFraction > 0 && folder.pairs.count >= 2 {
            let split = DatasetSplit.random(names: folder.pairs.map(\.name), fraction: options.validationFraction, seed: options.seed)
            let valNames = Set(split.validation)
            train = folder.pairs.filter { !valNames.contains($0.name) }
            validation = folder.pairs.filter { valNames.contains($0.name) }
        }
        let trainHistogram = Array(histogram.prefix(classCount))
        let names = classMap.map { map in (0..<map.classCount).map { i in map.entries.first { Int($0.index) == i }?.name ?? "class \(i)" } }
        return PreparedData(train: train, validation: validation, channels: channels, classCount: classCount, classMap: classMap,
                            maskEncoding: check.encoding, classNames: names, histogram: trainHistogram)
    }
}

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
