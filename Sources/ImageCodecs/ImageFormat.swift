/// The encoded file formats this module reads and writes.
public enum ImageFormat: String, Sendable, Equatable {
    /// Portable Network Graphics (lossless).
    case png = "PNG"

    /// The library that decodes and encodes the format, for error messages.
    public var library: String {
        switch self {
        case .png: return "libpng"
        case .jpeg: return "libjpeg"
        case .tiff: return "libtiff"
        }
    }

    /// The usual file name extension, without the dot.
    public var pathExtension: String {
        switch self {
        case .png: return "png"
        case .jpeg: return "jpg"
        case .tiff: return "tif"
        }
    }

    /// JPEG (lossy).
    case jpeg = "JPEG"
    /// TIFF or BigTIFF (lossless as read here: uncompressed, LZW, Deflate, PackBits).
    case tiff = "TIFF"

    /// Detects the format from the first bytes (PNG signature, JPEG SOI marker, TIFF or BigTIFF
    /// byte-order mark and version); nil otherwise.
    public static func detect(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.count >= 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return .png
        }
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        if bytes.count >= 4 {
            let little = bytes[0] == 0x49 && bytes[1] == 0x49 && (bytes[2] == 42 || bytes[2] == 43) && bytes[3] == 0
            let big = bytes[0] == 0x4D && bytes[1] == 0x4D && bytes[2] == 0 && (bytes[3] == 42 || bytes[3] == 43)
            if little || big { return .tiff }
        }
        return nil
    }

    /// The format for a file name's extension (.png, .jpg, .jpeg, .tif, .tiff; any case); nil otherwise.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        case "tif", "tiff": self = .tiff
        default: return nil
        }
    }
}
