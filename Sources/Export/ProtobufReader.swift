/// Reads protocol-buffers messages field by field, for checking written ONNX files without
/// Python (tests, and `unet export` re-reading what it wrote). Every length is checked against
/// the bytes left, so a damaged file gives an error, never a crash.
public struct ProtobufReader {
    /// One field of a message: its number and its value (a varint, or the bytes of a
    /// length-delimited field: a string, a nested message or a packed array).
    public struct Field {
        public let number: Int
        public let varint: UInt64?
        public let payload: ArraySlice<UInt8>?

        public var int: Int { Int(Int64(bitPattern: varint ?? 0)) }
        public var string: String { String(decoding: payload ?? [], as: UTF8.self) }
        /// The fields of the nested message this field holds.
        public func message() throws -> [Field] { try ProtobufReader.fields(of: payload ?? []) }
        /// The numbers of a packed repeated varint field.
        public func packedInts() throws -> [Int] {
            var r = ProtobufReader(payload ?? [])
            var out: [Int] = []
            while !r.atEnd { out.append(Int(Int64(bitPattern: try r.varint()))) }
            return out
        }
    }

    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    var atEnd: Bool { position >= bytes.endIndex }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard position < bytes.endIndex else { throw Malformed(description: "a number runs past the end of the data") }
            let b = bytes[position]
            position += 1
            value |= UInt64(b & 0x7F) << UInt64(shift)
            if b < 0x80 { return value }
        }
        throw Malformed(description: "a number is longer than ten bytes")
    }

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.endIndex - position else {
            throw Malformed(description: "a field of \(count) bytes runs past the end of the data")
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    /// The fields of one message, in file order.
    public static func fields(of bytes: ArraySlice<UInt8>) throws -> [Field] {
        var r = ProtobufReader(bytes)
        var out: [Field] = []
        while !r.atEnd {
            let key = try r.varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: out.append(Field(number: number, varint: try r.varint(), payload: nil))
            case 1: out.append(Field(number: number, varint: nil, payload: try r.take(8)))
            case 2:
                let length = try r.varint()
                guard length <= UInt64(Int.max) else { throw Malformed(description: "field \(number) claims \(length) bytes") }
                out.append(Field(number: number, varint: nil, payload: try r.take(Int(length))))
            case 5: out.append(Field(number: number, varint: nil, payload: try r.take(4)))
            default: throw Malformed(description: "field \(number) has wire type \(key & 7), which protobuf does not define here")
            }
        }
        return out
    }

    public static func fields(of bytes: [UInt8]) throws -> [Field] { try fields(of: bytes[...]) }
}
