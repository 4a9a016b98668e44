/// The element type of a tensor's storage.
///
/// Activations, weights and gradients are `float32`; `bfloat16` is the half-width float that
/// mixed-precision convolutions compute in (8 exponent bits like float32, 7 mantissa bits);
/// `int32` holds class indices (targets, predicted masks).
public enum DType: Hashable, Sendable, CustomStringConvertible {
    case float32
    case bfloat16
    case int32

    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .bfloat16: return 2
        }
    }

    public var isFloatingPoint: Bool { self != .int32 }

    public var description: String {
        switch self {
        case .float32: return "f32"
        case .bfloat16: return "bf16"
        case .int32: return "i32"
        }
    }
}

/// bfloat16 conversions: the upper half of a float32, rounded to nearest with ties to even.
public enum BFloat16 {
    /// The bfloat16 bits nearest to `x` (NaN stays a quiet NaN; overflow rounds to infinity, as
    /// IEEE rounding does).
    @inline(__always)
    public static func bits(_ x: Float) -> UInt16 {
        let b = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: b >> 16) | 0x0040 }
        let rounding = UInt32(0x7FFF) + ((b >> 16) & 1)
        return UInt16(truncatingIfNeeded: (b &+ rounding) >> 16)
    }

    /// The float32 value of bfloat16 `bits` (exact).
    @inline(__always)
    public static func float(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// `x` rounded to the nearest bfloat16 value, as a float32.
    @inline(__always)
    public static func rounded(_ x: Float) -> Float { float(bits(x)) }
}

/// TensorFloat-32, the input format of NVIDIA's tensor cores under `Precision.tf32`: float32 with
/// its mantissa cut to 10 stored bits (19 bits in all), rounded to nearest with ties to even.
public enum TensorFloat32 {
    /// `x` rounded to the nearest TF32 value, as a float32 (NaN and infinities unchanged).
    @inline(__always)
    public static func rounded(_ x: Float) -> Float {
        guard x.isFinite else { return x }
        let b = x.bitPattern
        let rounding = UInt32(0xFFF) + ((b >> 13) & 1)
        return Float(bitPattern: (b &+ rounding) & ~UInt32(0x1FFF))
    }
}
