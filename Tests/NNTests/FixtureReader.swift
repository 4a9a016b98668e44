import Foundation
import XCTest

/// A fixture file written by Tools/make_unet_fixtures.py: the safetensors layout (8-byte
/// little-endian header length, a JSON header `{"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {…}}`,
/// then the raw little-endian data), read here without the SafeTensors module, F32 and I32 only.
struct Fixture {
    struct Entry {
        let dtype: String
        let shape: [Int]
        let range: Range<Int>
    }

    enum Failure: Error, CustomStringConvertible {
        case unreadable(path: String)
        case badHeader(path: String, reason: String)
        case missing(path: String, key: String)
        case wrongType(path: String, key: String, dtype: String, expected: String)

        var description: String {
            switch self {
            case .unreadable(let p): return "\(p): cannot read"
            case .badHeader(let p, let r): return "\(p): bad header: \(r)"
            case .missing(let p, let k): return "\(p): no key \(k)"
            case .wrongType(let p, let k, let d, let e): return "\(p): \(k) is \(d), expected \(e)"
            }
        }
    }

    let path: String
    let entries: [String: Entry]
    let metadata: [String: String]
    private let data: Data

    /// Tests/Fixtures/unet/<name>.safetensors, found from this source file's path.
    static func unet(_ name: String, file: StaticString = #filePath) throws -> Fixture {
        let root = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().deletingLastPathComponent()
        return try Fixture(path: root.appendingPathComponent("Fixtures/unet/\(name).safetensors").path)
    }

    init(path: String) throws {
        guard let bytes = FileManager.default.contents(atPath: path), bytes.count >= 8 else { throw Failure.unreadable(path: path) }
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard 8 + headerLength <= bytes.count,
              let json = try? JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + headerLength))) as? [String: Any]
        else { throw Failure.badHeader(path: path, reason: "header of \(headerLength) bytes is not a JSON object") }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (key, value) in json {
            if key == "__metadata__" {
                metadata = value as? [String: String] ?? [:]
                continue
            }
            guard let e = value as? [String: Any], let dtype = e["dtype"] as? String, let shape = e["shape"] as? [Int],
                  let offsets = e["data_offsets"] as? [Int], offsets.count == 2
            else { throw Failure.badHeader(path: path, reason: "entry \(key)") }
            let start = 8 + headerLength + offsets[0], end = 8 + headerLength + offsets[1]
            guard end <= bytes.count, end - start == 4 * shape.reduce(1, *) else {
                throw Failure.badHeader(path: path, reason: "entry \(key): offsets \(offsets) for shape \(shape)")
            }
            entries[key] = Entry(dtype: dtype, shape: shape, range: start..<end)
        }
        self.path = path
        self.entries = entries
        self.metadata = metadata
        self.data = bytes
    }

    func contains(_ key: String) -> Bool { entries[key] != nil }

    func shape(_ key: String) throws -> [Int] {
        guard let e = entries[key] else { throw Failure.missing(path: path, key: key) }
        return e.shape
    }

    private func raw(_ key: String, _ dtype: String) throws -> [UInt32] {
        guard let e = entries[key] else { throw Failure.missing(path: path, key: key) }
        guard e.dtype == dtype else { throw Failure.wrongType(path: path, key: key, dtype: e.dtype, expected: dtype) }
        let bytes = [UInt8](data[e.range])
        return (0..<(bytes.count / 4)).map { i in
            UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24
        }
    }

    /// The values of an F32 entry in row-major order.
    func floats(_ key: String) throws -> [Float] { try raw(key, "F32").map(Float.init(bitPattern:)) }

    /// The values of an I32 entry in row-major order.
    func ints(_ key: String) throws -> [Int32] { try raw(key, "I32").map { Int32(bitPattern: $0) } }

    /// A metadata value (the script stores each as JSON text).
    func meta(_ key: String) throws -> String {
        guard let v = metadata[key] else { throw Failure.missing(path: path, key: "__metadata__.\(key)") }
        return v
    }

    /// A metadata value decoded from JSON (numbers, booleans, quoted strings, lists).
    func metaJSON(_ key: String) throws -> Any {
        let text = try meta(key)
        guard let v = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) else {
            throw Failure.badHeader(path: path, reason: "metadata \(key) = \(text) is not JSON")
        }
        return v
    }
}
