/// A decoded raster image: `height` rows of `width` pixels of `channels` interleaved samples
/// (HWC order, rows tightly packed). Channels: 1 gray (or palette index), 2 gray+alpha, 3 RGB, 4 RGBA.
public struct Image: Equatable, Sendable {
    /// Interleaved samples of one sample type.
    public enum Samples: Equatable, Sendable {
        /// 8-bit samples.
        case uint8([UInt8])
        /// 16-bit samples.
        case uint16([UInt16])

        /// The number of samples.
        public var count: Int {
            switch self {
            case .uint8(let s): return s.count
            case .uint16(let s): return s.count
            }
        }
    }

    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Samples per pixel: 1, 2, 3 or 4.
    public let channels: Int
    /// The samples, `width * height * channels` of them, interleaved.
    public let samples: Samples
    /// The palette when this is an indexed image (then `channels == 1` and samples are indices).
    public let palette: [RGBA8]?

    /// An 8-bit image; with a palette, `samples` are indices into it (and `channels` must be 1).
    public init(width: Int, height: Int, channels: Int, samples: [UInt8], palette: [RGBA8]? = nil) {
        Image.checkShape(width, height, channels, samples.count)
        if let palette {
            precondition(channels == 1, "[Image] a palette image has 1 channel, got \(channels)")
            precondition((1...256).contains(palette.count), "[Image] palette needs 1...256 entries, got \(palette.count)")
            if let bad = samples.firstIndex(where: { Int($0) >= palette.count }) {
                preconditionFailure("[Image] index \(samples[bad]) at sample \(bad) is beyond the \(palette.count) palette entries")
            }
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = .uint8(samples)
        self.palette = palette
    }

    /// A 16-bit image.
    public init(width: Int, height: Int, channels: Int, samples16 samples: [UInt16]) {
        Image.checkShape(width, height, channels, samples.count)
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = .uint16(samples)
        self.palette = nil
    }

    private static func checkShape(_ width: Int, _ height: Int, _ channels: Int, _ count: Int) {
        precondition(width > 0 && height > 0, "[Image] size \(width)x\(height) must be positive")
        precondition((1...4).contains(channels), "[Image] channels must be 1...4, got \(channels)")
        precondition(count == width * height * channels,
                     "[Image] \(width)x\(height)x\(channels) needs \(width * height * channels) samples, got \(count)")
    }

    /// `.uint8` or `.uint16`.
    public var sampleType: SampleType {
        if case .uint8 = samples { return .uint8 }
        return .uint16
    }

    /// True when samples are indices into `palette`.
    public var isIndexed: Bool { palette != nil }

    /// The 8-bit samples, or nil for a 16-bit image.
    public var uint8Samples: [UInt8]? {
        if case .uint8(let s) = samples { return s }
        return nil
    }

    /// The 16-bit samples, or nil for an 8-bit image.
    public var uint16Samples: [UInt16]? {
        if case .uint16(let s) = samples { return s }
        return nil
    }

    /// The sample at column `x`, row `y`, channel `channel`, widened to Int.
    public func sample(x: Int, y: Int, channel: Int = 0) -> Int {
        precondition(x >= 0 && x < width && y >= 0 && y < height && channel >= 0 && channel < channels,
                     "[Image] sample (\(x), \(y), \(channel)) outside \(width)x\(height)x\(channels)")
        let i = (y * width + x) * channels + channel
        switch samples {
        case .uint8(let s): return Int(s[i])
        case .uint16(let s): return Int(s[i])
        }
    }

    /// All samples widened to Int (handy for tests and masks).
    public var intSamples: [Int] {
        switch samples {
        case .uint8(let s): return s.map(Int.init)
        case .uint16(let s): return s.map(Int.init)
        }
    }
}
