/// Caps checked against a file's declared size before any pixel memory is allocated,
/// so that a tiny hostile file cannot ask for gigabytes (a decompression bomb).
public struct DecodeLimits: Sendable, Equatable {
    /// The most pixels (width × height) an image may declare.
    public var maxPixels: Int
    /// The most pixels either side may declare.
    public var maxDimension: Int

    /// Limits with the given caps.
    public init(maxPixels: Int = 1 << 28, maxDimension: Int = 1 << 16) {
        precondition(maxPixels > 0 && maxDimension > 0, "[DecodeLimits] caps must be positive")
        self.maxPixels = maxPixels
        self.maxDimension = maxDimension
    }

    /// The largest image file read (4 GiB + 64 MiB by default), so that a huge file is refused
    /// before it is read: an image within the pixel limit needs at most about 16 bytes a pixel
    /// (32-bit float RGBA TIFF stored without compression), plus room for metadata.
    public var maxFileBytes: Int {
        let (pixelBytes, overflow) = maxPixels.multipliedReportingOverflow(by: 16)
        return overflow || pixelBytes > Int.max - (64 << 20) ? Int.max : pixelBytes + (64 << 20)
    }

    /// 2^28 pixels (268 M, about 1 GiB of RGBA8) and 65536 pixels per side.
    public static let `default` = DecodeLimits()
}
