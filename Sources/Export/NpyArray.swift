import Foundation

/// A float32 array in NumPy's `.npy` format (version 1.0, little-endian `<f4`, C order): the
/// format of bioimage.io test tensors and of the arrays the reference tools compare.
public struct NpyArray: Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "[NpyArray] \(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The file's bytes: magic, version 1.0, header length, the header dict padded with spaces
    /// to a multiple of 64 bytes (ending in a newline), then the data.
    public func encoded() -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        let unpadded = Self.magic.count + 4 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = header.utf8.count
        return Self.magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + LittleEndianBytes.of(values)
    }

    /// Reads a `.npy` file's bytes; `path` names the file in errors. Only little-endian float32
    /// in C order is accepted (what `encoded()` writes and NumPy writes for `float32` arrays).
    public init(bytes: [UInt8], path: String) throws {
        func refuse(_ problem: String) -> ExportError { .badArray(path: path, problem: problem) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == Self.magic else { throw refuse("not a .npy file (no \\x93NUMPY signature)") }
        let major = bytes[6]
        let headerStart = major == 1 ? 10 : 12
        guard major == 1 || major == 2 || major == 3, bytes.count >= headerStart else { throw refuse(".npy version \(major) is not supported") }
        let length = major == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8
            : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        guard headerStart + length <= bytes.count else { throw refuse("the header runs past the end of the file") }
        let header = String(decoding: bytes[headerStart..<headerStart + length], as: UTF8.self)
        guard header.contains("'descr': '<f4'") else { throw refuse("the array is not little-endian float32 ('<f4'); header \(header.trimmingCharacters(in: .whitespacesAndNewlines))") }
        guard header.contains("'fortran_order': False") else { throw refuse("the array is in Fortran order; save it in C order") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw refuse("the header has no shape")
        }
        var dims: [Int] = []
        for part in header[open.upperBound..<close].split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let d = Int(text), d >= 0, d <= 1 << 31 else { throw refuse("shape entry '\(text)' is not a size") }
            dims.append(d)
        }
        let count = dims.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        let data = bytes.count - headerStart - length
        guard count <= data / 4, data == count * 4 else {
            throw refuse("shape \(dims) needs \(count.multipliedReportingOverflow(by: 4).overflow ? "more" : "\(count * 4)") bytes of data, the file holds \(data)")
        }
        shape = dims
        values = LittleEndianBytes.floats(bytes[(headerStart + length)...])
    }
}
