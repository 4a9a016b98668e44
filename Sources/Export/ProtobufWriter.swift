/// The protocol-buffers wire format, the little of it ONNX files need: varints, length-delimited
/// fields (strings, bytes, nested messages, packed repeated numbers) and their tags.
///
/// Hand-written rather than generated with swift-protobuf: ONNX export writes nine small message
/// types, and the generator plugin would add minutes to every clean build for them.
public struct ProtobufWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Wire types: 0 varint, 2 length-delimited (5 and 1, the fixed widths, are not needed).
    enum WireType: UInt64 { case varint = 0, lengthDelimited = 2 }

    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func appendTag(_ field: Int, _ type: WireType) {
        appendVarint(UInt64(field) << 3 | type.rawValue)
    }

    /// An int64 or enum field; negative values take ten bytes (two's complement), as protobuf says.
    public mutating func int(_ field: Int, _ value: Int) {
        appendTag(field, .varint)
        appendVarint(UInt64(bitPattern: Int64(value)))
    }

    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        appendTag(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// A nested message, written by `body` into its own writer.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        bytes(field, nested.bytes)
    }

    /// A packed repeated int64 field.
    public mutating func packedInts(_ field: Int, _ values: [Int]) {
        var nested = ProtobufWriter()
        for v in values { nested.appendVarint(UInt64(bitPattern: Int64(v))) }
        bytes(field, nested.bytes)
    }

    /// A packed repeated float field (little-endian IEEE 754, four bytes each).
    public mutating func packedFloats(_ field: Int, _ values: [Float]) {
        bytes(field, LittleEndianBytes.of(values))
    }

    /// A single float field (wire type 5).
    public mutating func float(_ field: Int, _ value: Float) {
        appendVarint(UInt64(field) << 3 | 5)
        bytes += LittleEndianBytes.of([value])
    }
}

/// Little-endian bytes of numbers, the byte order of ONNX raw tensor data and of `.npy` files.
enum LittleEndianBytes {
    static func of(_ values: [Float]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * 4)
        for v in values {
            let b = v.bitPattern.littleEndian
            out += [UInt8(truncatingIfNeeded: b), UInt8(truncatingIfNeeded: b >> 8), UInt8(truncatingIfNeeded: b >> 16), UInt8(truncatingIfNeeded: b >> 24)]
        }
        return out
    }

    static func of(_ values: [Int64]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * 8)
        for v in values {
            let u = UInt64(bitPattern: v)
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: u >> (8 * UInt64(k)))) }
        }
        return out
    }

    static func floats(_ bytes: ArraySlice<UInt8>) -> [Float] {
        let base = bytes.startIndex
        return (0..<bytes.count / 4).map { i in
            var bits: UInt32 = 0
            for k in 0..<4 { bits |= UInt32(bytes[base + 4 * i + k]) << (8 * UInt32(k)) }
            return Float(bitPattern: bits)
        }
    }

    static func int64s(_ bytes: ArraySlice<UInt8>) -> [Int64] {
        let base = bytes.startIndex
        return (0..<bytes.count / 8).map { i in
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(bytes[base + 8 * i + k]) << (8 * UInt64(k)) }
            return Int64(bitPattern: bits)
        }
    }
}
