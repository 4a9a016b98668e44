/// Why an image could not be read, decoded, encoded or written. Every case carries the file
/// path (or `<memory>` for in-memory data) so that a command-line user sees which file failed.
public enum ImageError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or read (missing, a directory, no permission...).
    case unreadable(path: String, reason: String)
    /// The file has zero bytes.
    case emptyFile(path: String)
    /// The bytes start with none of a PNG signature, a JPEG marker or a TIFF header.
    case unknownFormat(path: String, firstBytes: [UInt8])
    /// The data is truncated or corrupt; `message` is the codec library's own words.
    case corrupt(path: String, format: ImageFormat, message: String)
    /// A valid file of a kind this module does not decode (CMYK JPEG...), or a file it does not
    /// read (a FIFO, a device, over the size limit).
    case unsupported(path: String, reason: String)
    /// The declared size is over the decode limits; nothing was allocated.
    case tooLarge(path: String, width: Int, height: Int, limits: DecodeLimits)
    /// Encoding failed (the codec's message).
    case encodingFailed(path: String, format: ImageFormat, message: String)
    /// The file could not be written.
    case unwritable(path: String, reason: String)

    /// The path or `<memory>` the error is about.
    public var path: String {
        switch self {
        case .unreadable(let p, _), .emptyFile(let p), .unknownFormat(let p, _), .corrupt(let p, _, _),
             .unsupported(let p, _), .tooLarge(let p, _, _, _), .encodingFailed(let p, _, _), .unwritable(let p, _):
            return p
        }
    }

    /// One line for a command-line user, e.g. `images/a.png: truncated or corrupt PNG (libpng: Read Error)`.
    public var description: String { "\(path): \(reason)" }

    /// What went wrong, without the path (for reports that print the path themselves).
    public var reason: String {
        switch self {
        case .unreadable(_, let reason):
            return "cannot read file (\(reason))"
        case .emptyFile:
            return "empty file (0 bytes)"
        case .unknownFormat(_, let bytes):
            let hex = bytes.prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
            return "not a PNG, JPEG or TIFF: first bytes \(hex.isEmpty ? "(none)" : hex)"
        case .corrupt(_, let format, let message):
            return "truncated or corrupt \(format.rawValue) (\(format.library): \(message))"
        case .unsupported(_, let reason):
            return reason
        case .tooLarge(_, let width, let height, let limits):
            return "image too large: declared \(width)x\(height) = \(width * height) pixels; "
                + "the limit is \(limits.maxPixels) pixels and \(limits.maxDimension) per side"
        case .encodingFailed(_, let format, let message):
            return "cannot encode \(format.rawValue) (\(message))"
        case .unwritable(_, let reason):
            return "cannot write file (\(reason))"
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
