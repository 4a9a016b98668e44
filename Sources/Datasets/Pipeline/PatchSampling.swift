/// How often each training image is drawn in an epoch.
public enum PatchSampling: String, Codable, CaseIterable, Sendable {
    /// Every image equally often, however large: a few large images do not outweigh many small
    /// ones (the usual recipe's choice).
    case image
    /// Images in proportion to their area: every pixel is about equally likely to be in a patch.
    case area
}

/// Rare-class oversampling: with `probability`, a patch is placed so that its output window
/// holds a pixel of one of `classes` (chosen uniformly among the image's pixels of those
/// classes); otherwise, and in images without such pixels, the window is placed uniformly.
public struct RareClassFocus: Codable, Equatable, Sendable {
    public var classes: [Int32]
    public var probability: Double

    public init(classes: [Int32], probability: Double) {
        self.classes = classes
        self.probability = probability
    }
}
