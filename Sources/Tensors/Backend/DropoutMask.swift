/// The dropout mask as a pure function of (seed, element index): a counter-based generator, so
/// that every backend (host loops, a GPU kernel with one thread per element) draws the same mask
/// from the same seed without sharing a sequential random stream.
public enum DropoutMask {
    /// splitmix64's finaliser of seed + (index + 1)·golden ratio: a different, well-mixed word per
    /// element.
    @inline(__always)
    public static func bits(seed: UInt64, index: Int) -> UInt64 {
        var z = seed &+ (UInt64(truncatingIfNeeded: index) &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0 with probability p (a uniform draw of 24 bits below p), else 1/(1 − p).
    @inline(__always)
    public static func value(seed: UInt64, index: Int, probability p: Float) -> Float {
        let unit = Float(bits(seed: seed, index: index) >> 40) * 0x1p-24
        return unit < p ? 0 : 1 / (1 - p)
    }
}
