import XCTest
@testable import SafeTensors

/// Each failure mode gives its own error, naming the file.
final class ErrorTests: XCTestCase {
    let f32x2 = #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
    let eightBytes: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 64]

    func testValidMinimalFileParses() throws {
        let file = try SafeTensorsFile(bytes: fileBytes(header: f32x2 + "   ", data: eightBytes), path: "ok")
        XCTAssertEqual(try file.floats("t"), [1, 2])
        XCTAssertEqual(file.metadata, [:])
    }

    func testFileTooShort() {
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: [1, 2, 3], path: "short.st")) {
            $0 == .fileTooShort(path: "short.st", size: 3)
        }
    }

    func testNotSafeTensors() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 32)
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: png, path: "image.png")) {
            guard case .notSafeTensors("image.png", let reason) = $0 else { return false }
            return reason.contains("exceeds")
        }
        let text = Array("hello world, this is plain text".utf8)
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: text, path: "notes.txt")) {
            if case .notSafeTensors("notes.txt", _) = $0 { return true } else { return false }
        }
        // Plausible length, but the header is not a JSON object.
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: fileBytes(header: "[1,2]"), path: "a")) {
            if case .notSafeTensors = $0 { return true } else { return false }
        }
        XCTAssertTrue("\(SafeTensorsError.notSafeTensors(path: "image.png", reason: "x"))".contains("image.png"))
    }

    func testTruncatedHeader() {
        let bytes = Array(fileBytes(header: f32x2, data: eightBytes).prefix(30))
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: bytes, path: "cut.st")) {
            $0 == .truncated(path: "cut.st", needed: 8 + f32x2.utf8.count, size: 30)
        }
    }

    func testTruncatedData() {
        let bytes = fileBytes(header: f32x2, data: Array(eightBytes.prefix(6)))
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: bytes, path: "cut.st")) {
            if case .invalidOffsets("t", let reason, "cut.st") = $0 { return reason.contains("beyond") } else { return false }
        }
    }

    func testInvalidJSON() {
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: fileBytes(header: #"{"t": {"dtype": }"#), path: "j")) {
            if case .invalidHeader("j", let reason) = $0 { return reason.contains("invalid JSON") } else { return false }
        }
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: fileBytes(header: #"{"a":1,"a":2}"#), path: "j")) {
            if case .invalidHeader("j", let reason) = $0 { return reason.contains("duplicate") } else { return false }
        }
    }

    func testMissingAndMistypedFields() {
        let cases: [(String, String)] = [
            (#"{"t":{"dtype":"F32","shape":[2]}}"#, "missing field 'data_offsets'"),
            (#"{"t":{"shape":[2],"data_offsets":[0,8]}}"#, "missing field 'dtype'"),
            (#"{"t":{"dtype":"F32","data_offsets":[0,8]}}"#, "missing field 'shape'"),
            (#"{"t":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}"#, "shape is a string"),
            (#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, "data_offsets has 1 elements"),
            (#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}"#, "unexpected field 'extra'"),
            (#"{"t":[1]}"#, "entry is a array"),
            (#"{"__metadata__":{"k":1}}"#, "__metadata__['k'] is a number"),
            (#"{"__metadata__":[]}"#, "__metadata__ is a array"),
        ]
        for (header, expected) in cases {
            assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: fileBytes(header: header, data: eightBytes), path: "f")) {
                if case .invalidHeader("f", let reason) = $0 { return reason.contains(expected) } else { return false }
            }
        }
    }

    func testUnknownDType() {
        let header = #"{"t":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}"#
        assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: fileBytes(header: header, data: eightBytes), path: "d")) {
            $0 == .unknownDType(name: "t", dtype: "F8_E4M3", path: "d")
        }
    }

    func testBadOffsets() {
        let cases: [(String, String)] = [
            (#"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, "needs 12"),
            (#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, "begin 8 > end 0"),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, "overlaps"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, "gap"),
        ]
        for (header, expected) in cases {
            assertThrowsSafeTensorsError(try SafeTensorsFile(bytes: fileBytes(header: header, data: eightBytes), path: "o")) {
                if case .invalidOffsets(_, let reason, "o") = $0 { return reason.contains(expected) } else { return false }
            }
        }
    }

    func testMissingTensorWrongShapeWrongDType() throws {
        let file = try SafeTensorsFile(bytes: fileBytes(header: f32x2, data: eightBytes), path: "ckpt.safetensors")
        assertThrowsSafeTensorsError(try file.floats("nope")) {
            $0 == .missingTensor(name: "nope", path: "ckpt.safetensors")
        }
        assertThrowsSafeTensorsError(try file.checkShape("t", [1, 2])) {
            $0 == .shapeMismatch(name: "t", expected: [1, 2], found: [2], path: "ckpt.safetensors")
        }
        assertThrowsSafeTensorsError(try file.floats("t", shape: [3])) {
            $0 == .shapeMismatch(name: "t", expected: [3], found: [2], path: "ckpt.safetensors")
        }
        assertThrowsSafeTensorsError(try file.checkDType("t", .i64)) {
            $0 == .dtypeMismatch(name: "t", expected: "I64", found: .f32, path: "ckpt.safetensors")
        }
        assertThrowsSafeTensorsError(try file.int64s("t")) {
            if case .dtypeMismatch("t", _, .f32, "ckpt.safetensors") = $0 { return true } else { return false }
        }
        XCTAssertEqual(
            "\(SafeTensorsError.shapeMismatch(name: "t", expected: [1, 2], found: [2], path: "ckpt.safetensors"))",
            "ckpt.safetensors: tensor 't' has shape [2], expected [1, 2]")
    }

    func testMissingFileGivesIOError() {
        assertThrowsSafeTensorsError(try SafeTensorsFile(contentsOf: "/nonexistent/x.safetensors")) {
            if case .io("/nonexistent/x.safetensors", "open", _) = $0 { return true } else { return false }
        }
        assertThrowsSafeTensorsError(try SafeTensorsFile(contentsOf: "/tmp")) {
            if case .io("/tmp", _, _) = $0 { return true } else { return false }
        }
    }
}
