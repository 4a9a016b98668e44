extension DatasetSplit {
    /// Holds out the last `fraction` of the sorted names (at least one, at most all but one,
    /// the same count as `random`).
    public static func tail(names: [String], fraction: Double) -> DatasetSplit {
        let sorted = names.sorted()
        let k = min(max(1, Int((Double(names.count) * fraction).rounded())), names.count - 1)
        return DatasetSplit(train: Array(sorted.dropLast(k)), validation: Array(sorted.suffix(k)))
    }

    /// The split of a dataset folder's pair names in `mode` (`seed` is used by `.random` only).
    /// Needs at least two pairs; throws `DatasetError.invalid` listing pairing problems if any.
    public static func make(for folder: DatasetFolder, fraction: Double, seed: UInt64, mode: SplitMode) throws -> DatasetSplit {
        if !folder.pairingProblems.isEmpty { throw DatasetError.invalid(folder.pairingProblems) }
        let names = folder.pairs.map(\.name)
        guard names.count >= 2 else {
            throw DatasetError.unreadableDirectory(path: folder.imagesDirectory,
                                                   reason: "a split needs at least 2 image/mask pairs, found \(names.count)")
        }
        switch mode {
        case .random: return random(names: names, fraction: fraction, seed: seed)
        case .tail: return tail(names: names, fraction: fraction)
        }
    }
}
