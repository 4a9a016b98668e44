/// One tensor of a safetensors file: dtype, shape and its raw little-endian bytes.
///
/// The initialisers guarantee `bytes.count == elementCount * dtype.byteSize`.
public struct StoredTensor: Equatable, Sendable {
    /// Element type.
    public let dtype: DType
    /// Dimensions, outermost first (row-major, like PyTorch); `[]` is a scalar.
    public let shape: [Int]
    /// Raw little-endian element bytes, row-major.
    public let bytes: [UInt8]

    /// Number of elements (product of `shape`, 1 for a scalar), or nil if a dimension is negative or the product overflows.
    static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// Byte size of a tensor of this dtype and shape, or nil on negative dimensions or overflow.
    static func byteCount(dtype: DType, shape: [Int]) -> Int? {
        guard let count = elementCount(of: shape) else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        return overflow ? nil : bytes
    }

    /// A tensor from raw little-endian bytes; throws `invalidTensor` if the byte count does not match shape × dtype.
    public init(dtype: DType, shape: [Int], bytes: [UInt8], name: String = "?") throws {
        guard let expected = StoredTensor.byteCount(dtype: dtype, shape: shape) else {
            throw SafeTensorsError.invalidTensor(name: name, reason: "invalid shape \(shape)")
        }
        guard expected == bytes.count else {
            throw SafeTensorsError.invalidTensor(
                name: name, reason: "\(bytes.count) bytes for \(dtype.rawValue) \(shape), expected \(expected)")
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Unchecked memberwise init for the reader, which has validated the sizes already.
    init(validatedDType dtype: DType, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Number of elements (1 for a scalar).
    public var elementCount: Int { bytes.count / dtype.byteSize }

    // MARK: Typed constructors (the writer's dtypes).

    private static func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * MemoryLayout<T>.size)
        for v in values {
            let le = v.littleEndian
            withUnsafeBytes(of: le) { out.append(contentsOf: $0) }
        }
        return out
    }

    private static func checkedShape(_ shape: [Int], count: Int, _ what: String) -> [Int] {
        precondition(elementCount(of: shape) == count, "[StoredTensor] \(count) \(what) values for shape \(shape)")
        return shape
    }

    /// An F32 tensor. Precondition: `values.count` equals the product of `shape`.
    public init(floats values: [Float], shape: [Int]) {
        self.init(validatedDType: .f32, shape: StoredTensor.checkedShape(shape, count: values.count, "F32"),
                  bytes: StoredTensor.littleEndianBytes(values.map(\.bitPattern)))
    }

    /// An F64 tensor. Precondition: `values.count` equals the product of `shape`.
    public init(doubles values: [Double], shape: [Int]) {
        self.init(validatedDType: .f64, shape: StoredTensor.checkedShape(shape, count: values.count, "F64"),
                  bytes: StoredTensor.littleEndianBytes(values.map(\.bitPattern)))
    }

    /// An I64 tensor. Precondition: `values.count` equals the product of `shape`.
    public init(int64s values: [Int64], shape: [Int]) {
        self.init(validatedDType: .i64, shape: StoredTensor.checkedShape(shape, count: values.count, "I64"),
                  bytes: StoredTensor.littleEndianBytes(values))
    }

    /// An I32 tensor. Precondition: `values.count` equals the product of `shape`.
    public init(int32s values: [Int32], shape: [Int]) {
        self.init(validatedDType: .i32, shape: StoredTensor.checkedShape(shape, count: values.count, "I32"),
                  bytes: StoredTensor.littleEndianBytes(values))
    }

    /// A U8 tensor. Precondition: `values.count` equals the product of `shape`.
    public init(uint8s values: [UInt8], shape: [Int]) {
        self.init(validatedDType: .u8, shape: StoredTensor.checkedShape(shape, count: values.count, "U8"),
                  bytes: values)
    }

    // MARK: Conversions.

    private func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        return bytes.withUnsafeBytes { raw in
            (0..<elementCount).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self)) }
        }
    }

    /// Elements as `Float` for F32, F64, F16 and BF16 tensors (F64 rounds); nil for other dtypes.
    public func floatValues() -> [Float]? {
        switch dtype {
        case .f32: return load(UInt32.self).map { Float(bitPattern: $0) }
        case .f64: return load(UInt64.self).map { Float(Double(bitPattern: $0)) }
        case .f16: return load(UInt16.self).map(StoredTensor.halfToFloat)
        case .bf16: return load(UInt16.self).map { Float(bitPattern: UInt32($0) << 16) }
        default: return nil
        }
    }

    /// Elements as `Double` for floating-point dtypes; nil for others.
    public func doubleValues() -> [Double]? {
        if dtype == .f64 { return load(UInt64.self).map { Double(bitPattern: $0) } }
        return floatValues()?.map(Double.init)
    }

    /// Elements as `Int64` for integer and BOOL dtypes; nil for floating-point dtypes or U64 values above `Int64.max`.
    public func int64Values() -> [Int64]? {
        switch dtype {
        case .bool, .u8: return bytes.map { Int64($0) }
        case .i8: return bytes.map { Int64(Int8(bitPattern: $0)) }
        case .u16: return load(UInt16.self).map { Int64($0) }
        case .i16: return load(Int16.self).map { Int64($0) }
        case .u32: return load(UInt32.self).map { Int64($0) }
        case .i32: return load(Int32.self).map { Int64($0) }
        case .i64: return load(Int64.self)
        case .u64:
            var out: [Int64] = []
            out.reserveCapacity(elementCount)
            for v in load(UInt64.self) {
                guard let x = Int64(exactly: v) else { return nil }
                out.append(x)
            }
            return out
        case .f16, .bf16, .f32, .f64: return nil
        }
    }

    /// IEEE 754 binary16 bits to Float (subnormals, infinities and NaN included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exponent = UInt32((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            // Zero or subnormal: mantissa × 2^-24.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}
