/// What a file's header declares, read without decoding pixels (see `ImageInfo.read(contentsOf:)`).
/// `width`/`height` are as stored; `orientedWidth`/`orientedHeight` after EXIF orientation.
public struct ImageInfo: Equatable, Sendable {
    /// PNG, JPEG or TIFF.
    public var format: ImageFormat
    /// Stored width in pixels.
    public var width: Int
    /// Stored height in pixels.
    public var height: Int
    /// Channels a full decode yields (1...4).
    public var channels: Int
    /// Sample type a full decode yields.
    public var sampleType: SampleType
    /// Bit depth as stored in the file (1, 2, 4, 8 or 16; 32 for float TIFF).
    public var sourceBitDepth: Int
    /// True for a palette PNG.
    public var isIndexed: Bool
    /// True for an Adam7-interlaced PNG.
    public var isInterlaced: Bool
    /// True for a progressive JPEG.
    public var isProgressive: Bool
    /// EXIF orientation 1...8 (JPEG; 1 when absent).
    public var orientation: Int
    /// True for a TIFF stored in tiles (false: strips, or not a TIFF).
    public var isTiled: Bool = false
    /// True for a TIFF stored plane by plane (PLANARCONFIG_SEPARATE).
    public var isPlanar: Bool = false

    /// Width after applying the orientation (swapped for 5...8).
    public var orientedWidth: Int { orientation >= 5 ? height : width }
    /// Height after applying the orientation (swapped for 5...8).
    public var orientedHeight: Int { orientation >= 5 ? width : height }

    /// Reads the header of in-memory PNG, JPEG or TIFF data.
    public init(data: [UInt8], path: String? = nil, limits: DecodeLimits = .default) throws {
        let path = path ?? "<memory>"
        let format = try Image.checkedFormat(of: data, path: path)
        self = try CodecBridge.decode(data, format: format, path: path, limits: limits, headerOnly: true).info
    }

    /// Reads the header of a PNG, JPEG or TIFF file.
    public static func read(contentsOf path: String, limits: DecodeLimits = .default) throws -> ImageInfo {
        try ImageInfo(data: FileBytes.read(path, limits: limits), path: path, limits: limits)
    }

    init(format: ImageFormat, width: Int, height: Int, channels: Int, sampleType: SampleType, sourceBitDepth: Int,
         isIndexed: Bool, isInterlaced: Bool, isProgressive: Bool, orientation: Int) {
        self.format = format
        self.width = width
        self.height = height
        self.channels = channels
        self.sampleType = sampleType
        self.sourceBitDepth = sourceBitDepth
        self.isIndexed = isIndexed
        self.isInterlaced = isInterlaced
        self.isProgressive = isProgressive
        self.orientation = orientation
    }
}
