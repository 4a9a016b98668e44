import ImageCodecs

extension Mask {
    /// Reads a mask file and applies the dataset's `encoding` to gray levels (see `StoredMask`).
    /// JPEG masks are refused; decode problems throw `ImageError`, value problems
    /// `DatasetError.badMask`.
    public static func read(contentsOf path: String, classMap: ClassMap? = nil, encoding: MaskEncoding = .indices,
                            limits: DecodeLimits = .default) throws -> Mask {
        try StoredMask.read(contentsOf: path, classMap: classMap, limits: limits).decoded(encoding)
    }

    static let jpegReason = "lossy JPEG masks corrupt class labels; convert to PNG"

    /// Class indices from a decoded mask image: palette indices and class-map colours are
    /// classes; gray levels go through the dataset's `encoding` (see `StoredMask`).
    public init(image: Image, path: String, classMap: ClassMap? = nil, encoding: MaskEncoding = .indices) throws {
        self = try StoredMask(image: image, path: path, classMap: classMap).decoded(encoding)
    }
}
