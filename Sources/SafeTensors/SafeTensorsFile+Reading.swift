#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SafeTensorsFile {
    /// Largest header accepted, as in the reference implementation (100 MB).
    public static let maxHeaderLength = 100_000_000

    /// Reads and validates the safetensors file at `path`.
    public init(contentsOf path: String) throws {
        let bytes = try FileIO.readAll(path: path)
        try self.init(bytes: bytes, path: path)
    }

    /// Parses and validates safetensors `bytes`; `path` is only used in error messages.
    ///
    /// Validation is strict: the header must be a JSON object of tensor entries
    /// (`dtype`, `shape`, `data_offsets`, nothing else) and an optional
    /// `__metadata__` object of strings; the tensors' byte ranges must match
    /// shape × dtype and tile the data buffer exactly (no gaps, overlaps or trailing bytes).
    public init(bytes: [UInt8], path: String = "<memory>") throws {
        guard bytes.count >= 8 else { throw SafeTensorsError.fileTooShort(path: path, size: bytes.count) }
        var headerLength: UInt64 = 0
        for i in (0..<8).reversed() { headerLength = headerLength << 8 | UInt64(bytes[i]) }
        guard headerLength <= UInt64(SafeTensorsFile.maxHeaderLength) else {
            throw SafeTensorsError.notSafeTensors(
                path: path, reason: "header length \(headerLength) exceeds the \(SafeTensorsFile.maxHeaderLength)-byte limit")
        }
        let n = Int(headerLength)
        guard n >= 2 else {
            throw SafeTensorsError.notSafeTensors(path: path, reason: "header length \(n) is too small for a JSON object")
        }
        guard 8 + n <= bytes.count else {
            throw SafeTensorsError.truncated(path: path, needed: 8 + n, size: bytes.count)
        }
        let headerBytes = bytes[8..<(8 + n)]
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw SafeTensorsError.notSafeTensors(path: path, reason: "header does not start with '{'")
        }
        let json: HeaderJSON
        do {
            json = try HeaderJSON.parse(headerBytes)
        } catch let e as HeaderJSON.ParseError {
            throw SafeTensorsError.invalidHeader(path: path, reason: "invalid JSON at header byte \(e.offset): \(e.message)")
        }
        guard case let .object(members) = json else {
            throw SafeTensorsError.invalidHeader(path: path, reason: "header is not a JSON object")
        }

        let dataStart = 8 + n
        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try SafeTensorsFile.parseMetadata(value, path: path)
                continue
            }
            let entry = try SafeTensorsFile.parseEntry(name: name, value, path: path)
            entries.append((name, entry.dtype, entry.shape, entry.begin, entry.end))
        }

        // Byte ranges: consistent with shape × dtype, inside the buffer, tiling it exactly.
        for e in entries {
            guard e.begin <= e.end else {
                throw SafeTensorsError.invalidOffsets(name: e.name, reason: "begin \(e.begin) > end \(e.end)", path: path)
            }
            guard e.end <= dataLength else {
                throw SafeTensorsError.invalidOffsets(
                    name: e.name, reason: "end \(e.end) beyond the \(dataLength)-byte data buffer", path: path)
            }
            guard let expected = StoredTensor.byteCount(dtype: e.dtype, shape: e.shape) else {
                throw SafeTensorsError.invalidHeader(path: path, reason: "tensor '\(e.name)': shape \(e.shape) overflows")
            }
            guard e.end - e.begin == expected else {
                throw SafeTensorsError.invalidOffsets(
                    name: e.name,
                    reason: "range [\(e.begin), \(e.end)) is \(e.end - e.begin) bytes, \(e.dtype.rawValue) \(e.shape) needs \(expected)",
                    path: path)
            }
        }
        let ordered = entries.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var cursor = 0
        for e in ordered {
            if e.begin < cursor {
                throw SafeTensorsError.invalidOffsets(
                    name: e.name, reason: "range [\(e.begin), \(e.end)) overlaps the previous tensor", path: path)
            }
            if e.begin > cursor {
                throw SafeTensorsError.invalidOffsets(
                    name: e.name, reason: "gap before range [\(e.begin), \(e.end)) (previous tensor ends at \(cursor))",
                    path: path)
            }
            cursor = e.end
        }
        guard cursor == dataLength else {
            throw SafeTensorsError.invalidHeader(
                path: path, reason: "tensors cover \(cursor) bytes but the data buffer has \(dataLength)")
        }

        var tensors: [String: StoredTensor] = [:]
        for e in entries {
            let slice = bytes[(dataStart + e.begin)..<(dataStart + e.end)]
            tensors[e.name] = StoredTensor(validatedDType: e.dtype, shape: e.shape, bytes: Array(slice))
        }
        self.init(metadata: metadata, tensors: tensors, path: path)
    }

    private static func parseMetadata(_ value: HeaderJSON, path: String) throws -> [String: String] {
        guard case let .object(pairs) = value else {
            throw SafeTensorsError.invalidHeader(path: path, reason: "__metadata__ is a \(value.kindName), expected an object")
        }
        var metadata: [String: String] = [:]
        for (key, v) in pairs {
            guard case let .string(s) = v else {
                throw SafeTensorsError.invalidHeader(
                    path: path, reason: "__metadata__['\(key)'] is a \(v.kindName), expected a string")
            }
            metadata[key] = s
        }
        return metadata
    }

    private static func parseEntry(name: String, _ value: HeaderJSON, path: String) throws
        -> (dtype: DType, shape: [Int], begin: Int, end: Int)
    {
        func fail(_ reason: String) -> SafeTensorsError {
            SafeTensorsError.invalidHeader(path: path, reason: "tensor '\(name)': \(reason)")
        }
        guard case let .object(fields) = value else { throw fail("entry is a \(value.kindName), expected an object") }
        var dtypeValue: HeaderJSON?, shapeValue: HeaderJSON?, offsetsValue: HeaderJSON?
        for (key, v) in fields {
            switch key {
            case "dtype": dtypeValue = v
            case "shape": shapeValue = v
            case "data_offsets": offsetsValue = v
            default: throw fail("unexpected field '\(key)'")
            }
        }
        guard let dtypeValue else { throw fail("missing field 'dtype'") }
        guard let shapeValue else { throw fail("missing field 'shape'") }
        guard let offsetsValue else { throw fail("missing field 'data_offsets'") }

        guard case let .string(dtypeName) = dtypeValue else { throw fail("dtype is a \(dtypeValue.kindName), expected a string") }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(name: name, dtype: dtypeName, path: path)
        }
        let shape = try integers(shapeValue, field: "shape", fail)
        let offsets = try integers(offsetsValue, field: "data_offsets", fail)
        guard offsets.count == 2 else { throw fail("data_offsets has \(offsets.count) elements, expected 2") }
        return (dtype, shape, offsets[0], offsets[1])
    }

    /// A JSON array of non-negative integers.
    private static func integers(_ value: HeaderJSON, field: String, _ fail: (String) -> SafeTensorsError) throws -> [Int] {
        guard case let .array(elements) = value else { throw fail("\(field) is a \(value.kindName), expected an array") }
        return try elements.map { element in
            guard case let .integer(i) = element else { throw fail("\(field) contains a \(element.kindName), expected an integer") }
            guard i >= 0 else { throw fail("\(field) contains negative \(i)") }
            return i
        }
    }
}
