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
    /// The images' headers, read once when the data was checked (a path missing here is read).
    public var imageHeaders: [String: ImageHeader] = [:]

    /// The header of `pair`'s image: the one read at setup, else read now.
    public func header(of pair: SamplePair) throws -> ImageHeader {
        try imageHeaders[pair.imagePath] ?? ImageHeader.read(pair.imagePath)
    }

    /// Scans, pairs and validates the data at `location` (every problem reported at once),
    /// decides the mask encoding of the training and validation masks together, and splits off
    /// validation images: those of `validationRoot`, else the root's `split.json`, else a
    /// `validationFraction` drawn with `seed`. Classes come from the class map at `classMapPath`,
    /// else `classCount`, else are inferred from the masks; channels from the images.
    public static func load(_ location: DatasetLocation, validationRoot: String? = nil, classMapPath: String? = nil,
                            classCount: Int? = nil, validationFraction: Double, seed: UInt64) throws -> PreparedData {
        let folder: DatasetFolder
        switch location {
        case .root(let root): folder = try DatasetFolder.scan(root: root)
        case .folders(let images, let masks): folder = try DatasetFolder.scan(images: images, masks: masks)
        }
        let classMap = try classMapPath.map { try ClassMap.load(contentsOf: $0) }
        let validationFolder = try validationRoot.map { try DatasetFolder.scan(root: $0) }

        // Classes: from the class map, the count given, or inferred from the masks (then refused
        // unless they are a plausible class-index encoding).
        let givenClassCount = classMap?.classCount ?? classCount
        let check = DatasetCheck([folder] + (validationFolder.map { [$0] } ?? []), classCount: givenClassCount, classMap: classMap)
        if !check.problems.isEmpty { throw DatasetError.invalid(check.problems) }
        let classCount = check.classCount
        let trainingMasks = Set(folder.pairs.map(\.maskPath))
        let histogram = check.survey.classHistogram { trainingMasks.contains($0) }

        // Channels: RGB if any image has colour, else gray; mixed sets are converted to RGB.
        var channels = 1
        for pair in folder.pairs + (validationFolder?.pairs ?? []) {
            if try (check.imageHeaders[pair.imagePath] ?? ImageHeader.read(pair.imagePath)).isColour { channels = 3; break }
        }

        var train = folder.pairs, validation: [SamplePair] = []
        if let vf = validationFolder {
            validation = vf.pairs
        } else if let split = try DatasetSplit.read(root: location.root) {
            let trainNames = Set(split.train), valNames = Set(split.validation)
            train = folder.pairs.filter { trainNames.contains($0.name) }
            validation = folder.pairs.filter { valNames.contains($0.name) }
        } else if validationFraction > 0 && folder.pairs.count >= 2 {
            let split = DatasetSplit.random(names: folder.pairs.map(\.name), fraction: validationFraction, seed: seed)
            let valNames = Set(split.validation)
            train = folder.pairs.filter { !valNames.contains($0.name) }
            validation = folder.pairs.filter { valNames.contains($0.name) }
        }
        let trainHistogram = Array(histogram.prefix(classCount))
        let names = classMap.map { map in (0..<map.classCount).map { i in map.entries.first { Int($0.index) == i }?.name ?? "class \(i)" } }
        return PreparedData(train: train, validation: validation, channels: channels, classCount: classCount, classMap: classMap,
                            maskEncoding: check.encoding, classNames: names, histogram: trainHistogram, imageHeaders: check.imageHeaders)
    }
}
