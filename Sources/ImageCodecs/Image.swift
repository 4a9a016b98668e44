/// A decoded raster image: `height` rows of `width` pixels of `channels` interleaved samples
/// (HWC order, rows tightly packed). Channels: 1 gray (or palette index), 2 gray+alpha, 3 RGB, 4 RGBA.
/// Samples are 8- or 16-bit unsigned integers or 32-bit floats (TIFF).
public struct Image: Equatable, Sendable {
    /// Interleaved samples of one sample type.
    public enum Samples: Equatable, Sendable {
        /// 8-bit samples.
        case uint8([UInt8])
        /// 16-bit samples.
        case uint16([UInt16])
        /// 32-bit float samples (finite).
        case float32([Float])

        /// The number of samples.
        public var count: Int {
            switch self {
            case .uint8(let s): return s.count
            case .uint16(let s): return s.count
            case .float32(let s): return s.count
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

    /// A 32-bit float image (samples must be finite: decoders refuse NaN and infinity).
    public init(width: Int, height: Int, channels: Int, floatSamples samples: [Float]) {
        Image.checkShape(width, height, channels, samples.count)
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = .float32(samples)
        self.palette = nil
    }

    private static func checkShape(_ width: Int, _ height: Int, _ channels: Int, _ count: Int) {
        precondition(width > 0 && height > 0, "[Image] size \(width)x\(height) must be positive")
        precondition((1...4).contains(channels), "[Image] channels must be 1...4, got \(channels)")
        precondition(count == width * height * channels,
                     "[Image] \(width)x\(height)x\(channels) needs \(width * height * channels) samples, got \(count)")
    }

    /// `.uint8`, `.uint16` or `.float32`.
    public var sampleType: SampleType {
        switch samples {
        case .uint8: return .uint8
        case .uint16: return .uint16
        case .float32: return .float32
        }
    }

    /// True when samples are indices into `palette`.
    public var isIndexed: Bool { palette != nil }

    /// The 8-bit samples, or nil for a 16-bit image.
    public var uint8Samples: [UInt8]? {
        if case .uint8(let s) = samples { return s }
        return nil
    }

    /// The 16-bit samples, or nil for an 8-bit or float image.
    public var uint16Samples: [UInt16]? {
        if case .uint16(let s) = samples { return s }
        return nil
    }

    /// The float samples, or nil for an integer image.
    public var float32Samples: [Float]? {
        if case .float32(let s) = samples { return s }
        return nil
    }

    /// All samples as Double (exact for every sample type).
    public var doubleSamples: [Double] {
        switch samples {
        case .uint8(let s): return s.map(Double.init)
        case .uint16(let s): return s.map(Double.init)
        case .float32(let s): return s.map(Double.init)
        }
    }

    /// The sample at column `x`, row `y`, channel `channel`, widened to Int (a float sample is
    /// rounded to the nearest integer).
    public func sample(x: Int, y: Int, channel: Int = 0) -> Int {
        precondition(x >= 0 && x < width && y >= 0 && y < height && channel >= 0 && channel < channels,
                     "[Image] sample (\(x), \(y), \(channel)) outside \(width)x\(height)x\(channels)")
        let i = (y * width + x) * channels + channel
        switch samples {
        case .uint8(let s): return Int(s[i])
        case .uint16(let s): return Int(s[i])
        case .float32(let s): return Image.rounded(s[i])
        }
    }

    private static func rounded(_ value: Float) -> Int {
        Int(max(min(value.rounded(), Float(Int32.max)), Float(Int32.min)))
    }

    /// All samples widened to Int (handy for tests and masks; float samples rounded).
    public var intSamples: [Int] {
        switch samples {
        case .uint8(let s): return s.map(Int.init)
        case .uint16(let s): return s.map(Int.init)
        case .float32(let s): return s.map(Image.rounded)
        }
    }
}
