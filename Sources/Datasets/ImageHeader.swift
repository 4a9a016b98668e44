import ImageCodecs

/// What setup needs of an image's header (size after EXIF orientation, channels, bit depth),
/// read once by `DatasetCheck` and kept with the prepared data, so that later steps (the patch
/// counts, the channel check of a resumed model) do not read every header again.
public struct ImageHeader: Sendable, Equatable {
    public var height: Int
    public var width: Int
    public var channels: Int
    public var isIndexed: Bool
    /// 8, 16 or 32 (float).
    public var bitDepth: Int

    public init(_ info: ImageInfo) {
        height = info.orientedHeight
        width = info.orientedWidth
        channels = info.channels
        isIndexed = info.isIndexed
        bitDepth = info.sampleType == .float32 ? 32 : info.sampleType == .uint16 ? 16 : 8
    }

    /// The header of the image at `path`.
    public static func read(_ path: String) throws -> ImageHeader { ImageHeader(try ImageInfo.read(contentsOf: path)) }

    /// True for an image that is colour (3 or more channels, or a palette).
    public var isColour: Bool { channels >= 3 || isIndexed }
}
