/// One training sample on disk: an image and the mask with the same base name.
public struct SamplePair: Equatable, Hashable, Sendable {
    /// The shared base name (file name without its extension).
    public var name: String
    /// Path of the image file.
    public var imagePath: String
    /// Path of the mask file.
    public var maskPath: String

    /// A pair from its parts.
    public init(name: String, imagePath: String, maskPath: String) {
        self.name = name
        self.imagePath = imagePath
        self.maskPath = maskPath
    }
}
