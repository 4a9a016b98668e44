import XCTest
@testable import ImageCodecs

/// Hostile input never crashes: every truncation and a few hundred seeded mutations of a small
/// PNG, JPEG and TIFF either decode or throw an ImageError, in process.
final class RobustnessTests: XCTestCase {
    private func survive(_ data: [UInt8], _ label: String) -> Bool {
        do {
            let image = try Image.decode(data: data)
            XCTAssertEqual(image.samples.count, image.width * image.height * image.channels, label)
            return true
        } catch let error as ImageError {
            XCTAssertFalse(error.description.isEmpty, label)
            return false
        } catch {
            XCTFail("\(label): unexpected error type \(error)")
            return false
        }
    }

    func testEveryTruncationThrowsOrDecodes() throws {
        for name in ["rgba8_interlaced.png", "palette4.png", "rgb.jpg", "progressive.jpg",
                     "tiff/gray16_tiled_deflate.tif", "tiff/rgb16_planar_lzw.tif", "tiff/gray8_strips.tif",
                     "tiff/gray16_bigtiff.tif"] {
            let data = try Fixtures.bytes(name)
            var failures = 0
            for length in 0..<data.count where !survive(Array(data[0..<length]), "\(name)[..<\(length)]") {
                failures += 1
            }
            // Nearly every cut must be reported (only the tail after the image data can go unnoticed).
            XCTAssertGreaterThan(failures, data.count - 16, name)
        }
    }

    func testTruncatedFilesReportTheLibraryMessage() throws {
        let png = try Fixtures.bytes("rgb8.png")
        XCTAssertThrowsError(try Image.decode(data: Array(png.prefix(png.count / 2)), path: "images/a.png")) { error in
            XCTAssertEqual("\(error)", "images/a.png: truncated or corrupt PNG (libpng: Read Error)")
        }
        let tiff = try Fixtures.bytes("tiff/gray8_strips.tif")
        XCTAssertThrowsError(try Image.decode(data: Array(tiff.prefix(40)), path: "c.tif")) { error in
            XCTAssertEqual("\(error)", "c.tif: truncated or corrupt TIFF (libtiff: TIFFFetchDirectory: Can not read TIFF directory)")
        }
        let jpeg = try Fixtures.bytes("rgb.jpg")
        XCTAssertThrowsError(try Image.decode(data: Array(jpeg.prefix(jpeg.count - 10)), path: "b.jpg")) { error in
            XCTAssertEqual("\(error)", "b.jpg: truncated or corrupt JPEG (libjpeg: Premature end of JPEG file)")
        }
    }

    func testSeededMutationsNeverCrash() throws {
        var rng = TestRandom(seed: 0xC0FFEE)
        for name in ["rgb8.png", "palette2.png", "gray16.png", "rgb.jpg", "progressive.jpg", "exif6.jpg",
                     "tiff/gray8_lzw.tif", "tiff/gray16_tiled_deflate.tif", "tiff/rgba8_tiled_planar_deflate.tif",
                     "tiff/rgb8_packbits.tif", "tiff/float32_deflate.tif", "tiff/gray16_bigtiff.tif"] {
            let original = try Fixtures.bytes(name)
            var decoded = 0
            for trial in 0..<150 {
                var data = original
                for _ in 0..<(1 + rng.below(4)) {
                    let at = rng.below(data.count)
                    switch rng.below(3) {
                    case 0: data[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: data[at] ^= UInt8(1 << rng.below(8))
                    default: data.insert(contentsOf: rng.bytes(1 + rng.below(8)), at: at)
                    }
                }
                if survive(data, "\(name) mutation \(trial)") { decoded += 1 }
            }
            XCTAssertLessThan(decoded, 150, "\(name): some mutations must be caught")
        }
    }
}
