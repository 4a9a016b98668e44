import XCTest
import TestSupport
@testable import Export

final class NpyArrayTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testRoundTripAndHeaderLayout() throws {
        let a = NpyArray(shape: [1, 2, 3], values: [0, 1, -2.5, 3, .pi, 1e-20])
        let bytes = a.encoded()
        // Version 1.0: data starts at a multiple of 64 bytes, the header ends in a newline.
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0)
        XCTAssertEqual(bytes[10 + headerLength - 1], 0x0A)
        XCTAssertEqual(bytes.count, 10 + headerLength + 24)
        XCTAssertEqual(try NpyArray(bytes: bytes, path: "a.npy"), a)
    }

    func testRefusesOtherDataTypesNamingTheFile() {
        var bytes = NpyArray(shape: [2], values: [1, 2]).encoded()
        let at = (0..<bytes.count - 2).first { bytes[$0..<$0 + 3].elementsEqual("<f4".utf8) }!
        bytes[at + 2] = UInt8(ascii: "8")
        XCTAssertThrowsError(try NpyArray(bytes: bytes, path: "x.npy")) { error in
            XCTAssertTrue("\(error)".hasPrefix("x.npy: the array is not little-endian float32"), "\(error)")
        }
        XCTAssertThrowsError(try NpyArray(bytes: Array(NpyArray(shape: [4], values: [1, 2, 3, 4]).encoded().dropLast(4)), path: "t.npy")) { error in
            XCTAssertEqual("\(error)", "t.npy: shape [4] needs 16 bytes of data, the file holds 12")
        }
    }
}
