/// The encoded file formats this module reads and writes.
public enum ImageFormat: String, Sendable, Equatable {
    /// Portable Network Graphics (lossless).
    case png = "PNG"
    /// JPEG (lossy).
    case jpeg = "JPEG"

    /// Detects the format from the first bytes (PNG signature or JPEG SOI marker); nil otherwise.
    public static func detect(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.count >= 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return .png
        }
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        return nil
    }

    /// The format for a file name's extension (.png, .jpg, .jpeg; any case); nil otherwise.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        default: return nil
        }
    }
}
