import XCTest
@testable import SafeTensors

/// Truncated and mutated files must give a `SafeTensorsError` or a valid file, never a crash.
final class HostileInputTests: XCTestCase {
    /// Parses `bytes`; returns the file, or nil after checking the error is a `SafeTensorsError`.
    private func parseOrError(_ bytes: [UInt8], _ context: @autoclosure () -> String) -> SafeTensorsFile? {
        do {
            return try SafeTensorsFile(bytes: bytes, path: "mutant")
        } catch is SafeTensorsError {
            return nil
        } catch {
            XCTFail("\(context()): unexpected error type \(error)")
            return nil
        }
    }

    func testEveryTruncationIsRejected() throws {
        let bytes = try sampleFile().serialized()
        for length in 0..<bytes.count {
            XCTAssertNil(parseOrError(Array(bytes[0..<length]), "prefix \(length)"), "prefix of \(length) bytes parsed")
        }
        XCTAssertNotNil(parseOrError(bytes, "full file"))
    }

    func testTrailingBytesAreRejected() throws {
        let bytes = try sampleFile().serialized()
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: bytes + [0])) {
            if case .invalidHeader = $0 { return true } else { return false }
        }
    }

    func testSeededRandomMutationsNeverCrash() throws {
        let original = try sampleFile().serialized()
        var headerLength = 0
        for i in (0..<8).reversed() { headerLength = headerLength << 8 | Int(original[i]) }
        var rng = SplitMix64(state: 20_240_601)
        var parsedCount = 0
        let interesting: [UInt8] = Array("{}[]\",:0123456789-eE. \\".utf8) + [0x00, 0xFF, 0x7F, 0x80]
        for trial in 0..<400 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                // Mostly hit the length prefix and the JSON header, where parsing happens.
                let limit = Bool.random(using: &rng) ? 8 + headerLength : bytes.count
                let position = Int.random(in: 0..<limit, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes[position] = interesting[Int.random(in: 0..<interesting.count, using: &rng)]
                case 2: bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                default: bytes.remove(at: position)
                }
            }
            if let file = parseOrError(bytes, "trial \(trial)") {
                parsedCount += 1
                // Whatever parsed must be a valid file: it survives our own round trip.
                XCTAssertEqual(try SafeTensorsFile(bytes: file.serialized()), file, "trial \(trial)")
                for name in file.names {
                    let t = try file.tensor(name)
                    XCTAssertEqual(t.bytes.count, t.elementCount * t.dtype.byteSize)
                }
            }
        }
        XCTAssertLessThan(parsedCount, 400, "mutations should mostly be caught")
    }

    func testDeepNestingIsRejectedWithoutRecursionOverflow() {
        let deep = #"{"a":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: fileBytes(header: deep))) {
            if case .invalidHeader(_, let reason) = $0 { return reason.contains("nesting") } else { return false }
        }
    }

    func testOverflowingShapeAndOffsetsAreRejected() {
        let shapes = [
            #"{"t":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#,
            #"{"t":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,0]}}"#,
            #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[9223372036854775807,9223372036854775807]}}"#,
            #"{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#,
            #"{"t":{"dtype":"F32","shape":[1.5],"data_offsets":[0,6]}}"#,
        ]
        for header in shapes {
            XCTAssertThrowsError(try SafeTensorsFile(bytes: fileBytes(header: header, data: [0, 0, 0, 0])), header) {
                XCTAssertTrue($0 is SafeTensorsError, header)
            }
        }
    }
}

/// A safetensors byte string from a raw header string and data.
func fileBytes(header: String, data: [UInt8] = []) -> [UInt8] {
    let h = Array(header.utf8)
    var length = UInt64(h.count).littleEndian
    return withUnsafeBytes(of: &length) { Array($0) } + h + data
}
