/// The storage type of one sample (one channel of one pixel).
public enum SampleType: Sendable, Equatable {
    /// 8-bit samples, 0...255.
    case uint8
    /// 16-bit samples, 0...65535 (16-bit PNG).
    case uint16

    /// The largest sample value: 255 or 65535.
    public var maxValue: Int { self == .uint8 ? 255 : 65535 }
}
