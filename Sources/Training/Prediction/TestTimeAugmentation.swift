import Datasets

/// Test-time augmentation: predict on symmetric copies of the image, map each prediction back
/// and average the probabilities. Segmentation of micrographs and most top-down imagery has no
/// preferred orientation, so averaging over the symmetries removes orientation-dependent
/// errors at the cost of one forward pass per copy.
public enum TestTimeAugmentation: String, CaseIterable, Sendable, Codable {
    /// One pass on the image as it is.
    case none
    /// Four passes: identity, horizontal, vertical and both flips.
    case flips
    /// Eight passes: every flip and quarter turn of the square (the dihedral group).
    case dihedral

    /// The transforms whose predictions are averaged (the identity first).
    public var transforms: [DihedralTransform] {
        switch self {
        case .none: return [.identity]
        case .flips:
            return [.identity, DihedralTransform(flipHorizontal: true), DihedralTransform(flipVertical: true),
                    DihedralTransform(flipHorizontal: true, flipVertical: true)]
        case .dihedral: return DihedralTransform.all
        }
    }
}
