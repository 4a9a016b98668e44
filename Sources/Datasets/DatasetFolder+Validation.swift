import ImageCodecs

/// How deeply `DatasetFolder.problems` looks at each pair.
public enum ValidationDepth: Sendable {
    /// Pairing, JPEG masks and sizes from file headers only (cheap).
    case headers
    /// Everything: also decodes every image and mask and checks the mask values.
    case full
}

extension DatasetFolder {
    /// Every problem in the dataset, collected rather than stopping at the first: pairing,
    /// JPEG masks, undecodable files, size mismatches and (with `.full`) mask values, read with
    /// the encoding this folder's masks imply and checked against `classCount` (default: the
    /// class map's, else inferred; see `DatasetCheck`).
    public func problems(classCount: Int? = nil, classMap: ClassMap? = nil, depth: ValidationDepth = .full,
                         limits: DecodeLimits = .default) -> [DatasetProblem] {
        DatasetCheck([self], classCount: classCount, classMap: classMap, depth: depth, limits: limits).problems
    }

    /// Throws `DatasetError.invalid` listing every problem, or returns when there are none.
    public func validate(classCount: Int? = nil, classMap: ClassMap? = nil, depth: ValidationDepth = .full,
                         limits: DecodeLimits = .default) throws {
        let found = problems(classCount: classCount, classMap: classMap, depth: depth, limits: limits)
        if !found.isEmpty { throw DatasetError.invalid(found) }
    }
}
