import XCTest
import TestSupport
@testable import Export

final class ProtobufTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testWireFormatBytes() {
        var w = ProtobufWriter()
        w.int(1, 300)                 // tag 0x08, varint AC 02
        w.string(2, "hi")             // tag 0x12, length 2
        w.int(3, -1)                  // ten bytes of two's complement
        w.packedInts(4, [1, 2])
        w.float(5, 1)                 // tag 0x2D, 00 00 80 3F
        XCTAssertEqual(w.bytes, [0x08, 0xAC, 0x02, 0x12, 0x02, 0x68, 0x69,
                                 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                                 0x22, 0x02, 0x01, 0x02, 0x2D, 0x00, 0x00, 0x80, 0x3F])
    }

    func testReaderRoundTripsNestedMessages() throws {
        var w = ProtobufWriter()
        w.message(7) { inner in
            inner.string(1, "conv")
            inner.packedInts(2, [3, -4, 1 << 40])
        }
        w.int(9, -17)
        let fields = try ProtobufReader.fields(of: w.bytes)
        XCTAssertEqual(fields.map(\.number), [7, 9])
        XCTAssertEqual(fields[1].int, -17)
        let inner = try fields[0].message()
        XCTAssertEqual(inner[0].string, "conv")
        XCTAssertEqual(try inner[1].packedInts(), [3, -4, 1 << 40])
    }

    func testReaderRefusesTruncatedData() {
        var w = ProtobufWriter()
        w.string(1, "hello")
        XCTAssertThrowsError(try ProtobufReader.fields(of: Array(w.bytes.dropLast()))) { error in
            XCTAssertEqual("\(error)", "a field of 5 bytes runs past the end of the data")
        }
        XCTAssertThrowsError(try ProtobufReader.fields(of: [0x0B])) // wire type 3 (groups) is not used
    }
}
