import ImageCodecs

extension DatasetFolder {
    /// Pixels per class (0..<classCount) summed over every mask of the dataset. Throws the
    /// mask's error if one cannot be decoded, and `DatasetError.invalid` listing every mask with
    /// a value not below `classCount`.
    public func classHistogram(classCount: Int, classMap: ClassMap? = nil,
                               limits: DecodeLimits = .default) throws -> [Int] {
        precondition(classCount > 0, "[classHistogram] classCount must be positive, got \(classCount)")
        var total = [Int](repeating: 0, count: classCount)
        var outOfRange: [DatasetProblem] = []
        for pair in pairs {
            let mask = try Mask.read(contentsOf: pair.maskPath, classMap: classMap, limits: limits)
            if let bad = mask.firstOutOfRange(classCount: classCount) {
                outOfRange.append(.classOutOfRange(mask: pair.maskPath, value: bad.value, x: bad.x, y: bad.y,
                                                   classCount: classCount))
            }
            for (k, n) in mask.histogram(classCount: classCount).enumerated() { total[k] += n }
        }
        if !outOfRange.isEmpty { throw DatasetError.invalid(outOfRange) }
        return total
    }
}
