import Foundation
import XCTest
@testable import SafeTensors

final class RoundTripTests: XCTestCase {
    func testSerializedBytesParseBackToTheSameFile() throws {
        let original = sampleFile()
        let bytes = try original.serialized()
        let parsed = try SafeTensorsFile(bytes: bytes)
        XCTAssertEqual(parsed, original)
        XCTAssertEqual(parsed.metadata["quote\"and\\slash"], "line\nbreak ü")
        XCTAssertEqual(try parsed.floats("encoder.0.conv1.weight"), (0..<24).map { Float($0) * 0.25 - 3 })
        XCTAssertEqual(try parsed.doubles("encoder.0.bn.running_var"), [1.5, 2.25, -0.125])
        XCTAssertEqual(try parsed.floats("encoder.0.bn.running_var"), [1.5, 2.25, -0.125])
        XCTAssertEqual(try parsed.int64s("step"), [1234567890123])
        XCTAssertEqual(try parsed.shape(of: "step"), [])
        XCTAssertEqual(try parsed.int64s("labels"), [-7, 0, 7, Int64(Int32.max)])
        XCTAssertEqual(try parsed.int64s("mask"), [0, 255, 3])
        XCTAssertEqual(try parsed.shape(of: "empty"), [0, 5])
        XCTAssertEqual(try parsed.floats("empty"), [])
    }

    func testSerializationIsCanonical() throws {
        let bytes = try sampleFile().serialized()
        var n = 0
        for i in (0..<8).reversed() { n = n << 8 | Int(bytes[i]) }
        XCTAssertEqual((8 + n) % 8, 0, "data must start 8-byte aligned")
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix(#"{"__metadata__":{"epoch":"3","format":"pt","quote\"and\\slash":"line\nbreak ü"},"#), header)
        XCTAssertTrue(header.contains(#""empty":{"data_offsets":[0,0],"dtype":"F32","shape":[0,5]}"#), header)
        // Tensors follow in sorted name order.
        XCTAssertTrue(header.contains(#""encoder.0.bn.running_var":{"data_offsets":[0,24],"dtype":"F64","shape":[3]}"#), header)
        XCTAssertTrue(header.contains(#""encoder.0.conv1.weight":{"data_offsets":[24,120],"#), header)
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces).last, "}")
        // Same content built in another order serializes identically.
        var other = SafeTensorsFile()
        for name in sampleFile().names.reversed() { other.tensors[name] = sampleFile().tensors[name] }
        other.metadata = sampleFile().metadata
        XCTAssertEqual(try other.serialized(), bytes)
    }

    func testAtomicWriteReplacesTargetAndLeavesNoTemporaryFiles() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.safetensors"
        try SafeTensorsFile(tensors: ["a": StoredTensor(floats: [1, 2], shape: [2])]).write(to: path)
        try sampleFile().write(to: path)
        XCTAssertEqual(try SafeTensorsFile(contentsOf: path), sampleFile())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["model.safetensors"])
    }

    func testWriteIntoMissingDirectoryThrowsIOError() {
        assertThrowsSafeTensorsError(try sampleFile().write(to: "/nonexistent-dir-for-test/x.safetensors")) {
            if case .io = $0 { return true } else { return false }
        }
    }

    func testReservedAndEmptyNamesAreRejectedByTheWriter() {
        let t = StoredTensor(floats: [1], shape: [1])
        assertThrowsSafeTensorsError(try SafeTensorsFile(tensors: ["__metadata__": t]).serialized()) {
            if case .invalidTensor = $0 { return true } else { return false }
        }
        assertThrowsSafeTensorsError(try SafeTensorsFile(tensors: ["": t]).serialized()) {
            if case .invalidTensor = $0 { return true } else { return false }
        }
    }

    func testRawInitialiserChecksByteCount() throws {
        XCTAssertNoThrow(try StoredTensor(dtype: .f16, shape: [2], bytes: [0, 0x3C, 0, 0xC0]))
        assertThrowsSafeTensorsError(try StoredTensor(dtype: .f32, shape: [2], bytes: [0, 0, 0], name: "w")) {
            $0 == .invalidTensor(name: "w", reason: "3 bytes for F32 [2], expected 8")
        }
    }

    func testHalfPrecisionConversion() {
        XCTAssertEqual(StoredTensor.halfToFloat(0x3C00), 1)
        XCTAssertEqual(StoredTensor.halfToFloat(0xC100), -2.5)
        XCTAssertEqual(StoredTensor.halfToFloat(0x7BFF), 65504)
        XCTAssertEqual(StoredTensor.halfToFloat(0x0001), Float(sign: .plus, exponent: -24, significand: 1))
        XCTAssertEqual(StoredTensor.halfToFloat(0x8000).sign, .minus)
        XCTAssertEqual(StoredTensor.halfToFloat(0x7C00), .infinity)
        XCTAssertTrue(StoredTensor.halfToFloat(0x7E00).isNaN)
    }
}
