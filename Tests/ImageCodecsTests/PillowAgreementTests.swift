import XCTest
@testable import ImageCodecs

/// Decoding agrees sample for sample with Pillow on the fixtures Tools/make_image_fixtures.py wrote.
final class PillowAgreementTests: XCTestCase {
    func testEveryFixtureMatchesPillow() throws {
        let manifest = try Fixtures.manifest()
        XCTAssertGreaterThanOrEqual(manifest.fixtures.count, 22)
        for expected in manifest.fixtures {
            let image = try Image.read(contentsOf: Fixtures.path(expected.file))
            let name = expected.file
            XCTAssertEqual(image.width, expected.width, name)
            XCTAssertEqual(image.height, expected.height, name)
            XCTAssertEqual(image.channels, expected.channels, name)
            XCTAssertEqual(image.sampleType, expected.bits == 16 ? .uint16 : .uint8, name)
            let actual = image.intSamples
            XCTAssertEqual(actual.count, expected.pixels.count, name)
            if let first = zip(actual, expected.pixels).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                XCTFail("\(name): sample \(first.offset) is \(first.element.0), Pillow says \(first.element.1)")
            }
            if let palette = expected.palette {
                let actualPalette = try XCTUnwrap(image.palette, name).map { [Int($0.r), Int($0.g), Int($0.b), Int($0.a)] }
                // Pillow may pad the palette; every entry libpng reports must match.
                XCTAssertLessThanOrEqual(actualPalette.count, palette.count, name)
                XCTAssertEqual(actualPalette, Array(palette.prefix(actualPalette.count)), name)
            } else {
                XCTAssertNil(image.palette, name)
            }
        }
    }

    func testHeaderInfoWithoutDecoding() throws {
        let p4 = try ImageInfo.read(contentsOf: Fixtures.path("palette4.png"))
        XCTAssertEqual(p4.format, .png)
        XCTAssertEqual(p4.sourceBitDepth, 4)
        XCTAssertTrue(p4.isIndexed)
        let interlaced = try ImageInfo.read(contentsOf: Fixtures.path("rgba8_interlaced.png"))
        XCTAssertTrue(interlaced.isInterlaced)
        XCTAssertEqual(interlaced.channels, 4)
        let g16 = try ImageInfo.read(contentsOf: Fixtures.path("gray16.png"))
        XCTAssertEqual(g16.sampleType, .uint16)
        let progressive = try ImageInfo.read(contentsOf: Fixtures.path("progressive.jpg"))
        XCTAssertTrue(progressive.isProgressive)
        let baseline = try ImageInfo.read(contentsOf: Fixtures.path("rgb.jpg"))
        XCTAssertFalse(baseline.isProgressive)
        let rotated = try ImageInfo.read(contentsOf: Fixtures.path("exif6.jpg"))
        XCTAssertEqual(rotated.orientation, 6)
        XCTAssertEqual([rotated.width, rotated.height], [13, 7])
        XCTAssertEqual([rotated.orientedWidth, rotated.orientedHeight], [7, 13])
    }

    func testOrientationCanBeLeftUnapplied() throws {
        let raw = try Image.read(contentsOf: Fixtures.path("exif6.jpg"), applyOrientation: false)
        let plain = try Image.read(contentsOf: Fixtures.path("rgb.jpg"))
        XCTAssertEqual([raw.width, raw.height], [13, 7])
        XCTAssertEqual(raw, plain, "same pixels were saved with and without the EXIF block")
    }

    func testPaletteIndicesAreUnpackedNotScaled() throws {
        let image = try Image.read(contentsOf: Fixtures.path("palette2.png"))
        let values = Set(try XCTUnwrap(image.uint8Samples))
        XCTAssertTrue(values.isSubset(of: [0, 1, 2, 3]), "2-bit indices must stay 0...3, got \(values.sorted())")
        XCTAssertEqual(image.expandingPalette().channels, 3)
        let transparent = try Image.read(contentsOf: Fixtures.path("palette_trns.png"))
        XCTAssertEqual(transparent.expandingPalette().channels, 4)
    }
}
