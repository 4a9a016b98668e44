import ImageCodecs

extension DatasetFolder {
    /// Pixels per class (0..<classCount) summed over every mask of the dataset, read with the
    /// encoding the masks imply (`MaskValueSurvey`). Throws the mask's error if one cannot be
    /// decoded, and `DatasetError.invalid` listing every mask with a class not below
    /// `classCount`, then the dataset's value problem.
    public func classHistogram(classCount: Int, classMap: ClassMap? = nil,
                               limits: DecodeLimits = .default) throws -> [Int] {
        precondition(classCount > 0, "[classHistogram] classCount must be positive, got \(classCount)")
        var survey = MaskValueSurvey()
        for pair in pairs { survey.add(try StoredMask.read(contentsOf: pair.maskPath, classMap: classMap, limits: limits)) }
        let problems = survey.outOfRange(classCount: classCount).map(\.problem)
            + [survey.problem(classCount: classCount, masks: masksDirectory)].compactMap { $0 }
        if !problems.isEmpty { throw DatasetError.invalid(problems) }
        return Array(survey.classHistogram().prefix(classCount))
    }
}
