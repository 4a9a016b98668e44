/// The storage type of one sample (one channel of one pixel).
public enum SampleType: Sendable, Equatable {
    /// 8-bit samples, 0...255.
    case uint8
    /// 16-bit samples, 0...65535 (16-bit PNG or TIFF).
    case uint16
    /// 32-bit float samples (TIFF), finite, taken as they are: no range is implied.
    case float32

    /// The value that `.unitRange` maps to 1: 255, 65535, or 1 for float samples, which are
    /// used as stored (a float image is already in the units its maker chose; per-image
    /// percentile normalisation is the way to bring any range to [0, 1]).
    public var maxValue: Int {
        switch self {
        case .uint8: return 255
        case .uint16: return 65535
        case .float32: return 1
        }
    }
}
