import XCTest
import Foundation
@testable import ImageCodecs

final class ErrorTests: XCTestCase {
    func testZeroByteFile() throws {
        let dir = try Fixtures.temporaryDirectory(self)
        let path = dir + "/empty.png"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        XCTAssertThrowsError(try Image.read(contentsOf: path)) { error in
            XCTAssertEqual(error as? ImageError, .emptyFile(path: path))
            XCTAssertEqual("\(error)", "\(path): empty file (0 bytes)")
        }
    }

    func testTextFileNamedPNG() throws {
        let dir = try Fixtures.temporaryDirectory(self)
        let path = dir + "/notes.png"
        try "hello world\n".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try Image.read(contentsOf: path)) { error in
            XCTAssertEqual(error as? ImageError, .unknownFormat(path: path, firstBytes: Array("hello wo".utf8)))
            XCTAssertEqual("\(error)", "\(path): not a PNG, JPEG or TIFF: first bytes 68 65 6c 6c 6f 20 77 6f")
        }
    }

    func testMissingFileAndDirectory() throws {
        XCTAssertThrowsError(try Image.read(contentsOf: "/nonexistent/x.png")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/x.png: cannot read file (No such file or directory)")
        }
        XCTAssertThrowsError(try Image.read(contentsOf: Fixtures.directory)) { error in
            XCTAssertEqual("\(error)", "\(Fixtures.directory): not a regular file (a directory)")
        }
    }

    /// A valid IHDR declaring 100000x100000, then an IDAT: refused before any pixel allocation.
    func testDeclaredHugeSizeIsRefused() throws {
        let png = Self.pngHeader(width: 100_000, height: 100_000)
        XCTAssertThrowsError(try Image.decode(data: png, path: "bomb.png")) { error in
            guard case .tooLarge(let path, let w, let h, _) = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual([w, h], [100_000, 100_000])
            XCTAssertEqual(path, "bomb.png")
            XCTAssertTrue("\(error)".contains("declared 100000x100000"), "\(error)")
        }
        // Inside the per-side limit but over a small pixel cap.
        let wide = Self.pngHeader(width: 3000, height: 3000)
        XCTAssertThrowsError(try Image.decode(data: wide, limits: DecodeLimits(maxPixels: 1 << 20))) { error in
            guard case .tooLarge(_, 3000, 3000, _) = error as? ImageError else { return XCTFail("\(error)") }
        }
        // A JPEG over a small cap.
        let jpeg = try Fixtures.bytes("rgb.jpg")
        XCTAssertThrowsError(try Image.decode(data: jpeg, limits: DecodeLimits(maxPixels: 50))) { error in
            guard case .tooLarge(_, 13, 7, _) = error as? ImageError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Image.decode(data: jpeg, limits: DecodeLimits(maxDimension: 10))) { error in
            guard case .tooLarge = error as? ImageError else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try Image.decode(data: jpeg, limits: DecodeLimits(maxPixels: 91, maxDimension: 13)))
    }

    func testCMYKJPEGIsNotSupported() throws {
        XCTAssertThrowsError(try Image.read(contentsOf: Fixtures.path("cmyk.jpg"))) { error in
            guard case .unsupported(_, let reason) = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "CMYK JPEG is not supported")
            XCTAssertTrue("\(error)".hasSuffix("cmyk.jpg: CMYK JPEG is not supported"))
        }
    }

    /// PNG signature + IHDR (8-bit RGB) + a tiny IDAT + IEND, with correct CRCs.
    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)] }
        func crc(_ bytes: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                c ^= UInt32(b)
                for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            return c ^ 0xFFFF_FFFF
        }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be(UInt32(data.count)) + body + be(crc(body))
        }
        let ihdr = be(width) + be(height) + [8, 2, 0, 0, 0]
        let idat: [UInt8] = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", [])
    }
}
