import Foundation
import XCTest
@testable import ImageCodecs

/// TIFF decoding agrees sample for sample with tifffile on the fixtures Tools/make_tiff_fixtures.py
/// wrote, and the files it must refuse are refused with a message that says why.
final class TIFFAgreementTests: XCTestCase {
    struct Expected: Decodable {
        let file: String
        let width: Int
        let height: Int
        let channels: Int
        let sampleType: String
        let tiled: Bool
        let planar: Bool
        let samples: [Double]
    }

    struct Refused: Decodable {
        let file: String
        let message: String
    }

    struct Manifest: Decodable {
        let fixtures: [Expected]
        let refused: [Refused]
    }

    static func manifest() throws -> Manifest {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("tiff/tiff_expected.json")))
        return try JSONDecoder().decode(Manifest.self, from: data)
    }

    func testEveryFixtureMatchesTifffile() throws {
        let manifest = try Self.manifest()
        XCTAssertEqual(manifest.fixtures.count, 13)
        for expected in manifest.fixtures {
            let name = expected.file
            let image = try Image.read(contentsOf: Fixtures.path("tiff/" + name))
            XCTAssertEqual([image.width, image.height, image.channels], [expected.width, expected.height, expected.channels], name)
            XCTAssertEqual("\(image.sampleType)", expected.sampleType, name)
            XCTAssertNil(image.palette, name)
            let actual = image.doubleSamples
            XCTAssertEqual(actual.count, expected.samples.count, name)
            // Floats are compared exactly: the JSON holds each float32 as a shortest round-trip double.
            if let first = zip(actual, expected.samples).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                XCTFail("\(name): sample \(first.offset) is \(first.element.0), tifffile wrote \(first.element.1)")
            }
            let info = try ImageInfo.read(contentsOf: Fixtures.path("tiff/" + name))
            XCTAssertEqual(info.format, .tiff, name)
            XCTAssertEqual([info.width, info.height, info.channels], [expected.width, expected.height, expected.channels], name)
            XCTAssertEqual(info.isTiled, expected.tiled, name)
            XCTAssertEqual(info.isPlanar, expected.planar, name)
        }
    }

    func testRefusedFixturesSayWhy() throws {
        let manifest = try Self.manifest()
        XCTAssertEqual(manifest.refused.count, 7)
        for refused in manifest.refused {
            let path = Fixtures.path("tiff/" + refused.file)
            XCTAssertThrowsError(try Image.read(contentsOf: path), refused.file) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix(path + ": "), text)
                XCTAssertTrue(text.contains(refused.message), "\(refused.file): \(text)")
            }
        }
        XCTAssertThrowsError(try Image.read(contentsOf: Fixtures.path("tiff/multipage3.tif"))) { error in
            XCTAssertEqual((error as? ImageError)?.reason,
                           "multi-page TIFF (3 pages): only single-page files are read; save each page as its own file")
        }
    }

    /// A directory that points back to itself (or an earlier one) is a damaged file, not a stack:
    /// libtiff counts it as one page, which used to read "multi-page TIFF (1 pages)".
    func testDirectoryLoopsAndDanglingDirectoriesAreNamed() throws {
        let selfLoop = TIFFBuilder.gray8(width: 4, height: 3, data: Array(0..<12), nextDirectory: 8)
        XCTAssertThrowsError(try Image.decode(data: selfLoop, path: "loop.tif")) { error in
            XCTAssertEqual("\(error)", "loop.tif: corrupt TIFF: a directory loop (directory 1 points back to directory 1, itself); "
                           + "the file is damaged, save it again")
        }
        XCTAssertThrowsError(try ImageInfo(data: selfLoop, path: "loop.tif")) { error in
            XCTAssertTrue("\(error)".contains("a directory loop"), "\(error)")
        }
        let dangling = TIFFBuilder.gray8(width: 4, height: 3, data: Array(0..<12), nextDirectory: 1_000_000)
        XCTAssertThrowsError(try Image.decode(data: dangling, path: "d.tif")) { error in
            XCTAssertTrue("\(error)".contains("points to a next one that is not in the file"), "\(error)")
        }
    }

    /// NaN or infinity in a float TIFF is a value unet cannot use, named with its place; the
    /// file is not "truncated or corrupt".
    func testNonFiniteSamplesAreNamedWithTheirPlace() throws {
        for (value, word) in [(Float.nan, "NaN"), (.infinity, "+infinity"), (-.infinity, "-infinity")] {
            var samples = [Float](repeating: 0.5, count: 5 * 4 * 2)
            samples[(2 * 5 + 3) * 2 + 1] = value
            let data = try Image(width: 5, height: 4, channels: 2, floatSamples: samples).tiffData()
            XCTAssertThrowsError(try Image.decode(data: data, path: "f.tif")) { error in
                XCTAssertEqual("\(error)", "f.tif: the float TIFF holds \(word) at pixel (3, 2), channel 1; unet needs finite values "
                               + "(replace them, e.g. by 0 or the image's minimum, and save again)")
            }
        }
    }

    func testExtensionsAndSignaturesNameTIFF() {
        XCTAssertEqual(ImageFormat(pathExtension: "TIF"), .tiff)
        XCTAssertEqual(ImageFormat(pathExtension: "tiff"), .tiff)
        XCTAssertEqual(ImageFormat.detect([0x49, 0x49, 42, 0]), .tiff)
        XCTAssertEqual(ImageFormat.detect([0x4D, 0x4D, 0, 42]), .tiff)
        XCTAssertEqual(ImageFormat.detect([0x49, 0x49, 43, 0, 8, 0, 0, 0]), .tiff, "BigTIFF")
        XCTAssertNil(ImageFormat.detect([0x49, 0x49, 41, 0]))
    }

    func testDeclaredSizeIsCheckedBeforeDecoding() throws {
        let data = try Fixtures.bytes("tiff/gray16_tiled_deflate.tif")
        XCTAssertThrowsError(try Image.decode(data: data, path: "big.tif", limits: DecodeLimits(maxPixels: 500))) { error in
            XCTAssertEqual(error as? ImageError, .tooLarge(path: "big.tif", width: 37, height: 21, limits: DecodeLimits(maxPixels: 500)))
        }
        // A 12-byte strip claiming 1,000,000 x 1,000,000 pixels is refused from its header.
        let bomb = TIFFBuilder.gray8(width: 1_000_000, height: 1_000_000, data: [UInt8](repeating: 7, count: 12))
        XCTAssertThrowsError(try Image.decode(data: bomb, path: "bomb.tif")) { error in
            guard case .tooLarge(_, 1_000_000, 1_000_000, _)? = error as? ImageError else {
                return XCTFail("\(error)")
            }
        }
        // The same tiny file with a plausible size decodes.
        let small = try Image.decode(data: TIFFBuilder.gray8(width: 4, height: 3, data: Array(0..<12)))
        XCTAssertEqual(small.uint8Samples, Array(0..<12))
    }

    func testTIFFRoundTripsAreExact() throws {
        var rng = TestRandom(seed: 42)
        for channels in 1...4 {
            let bytes = rng.bytes(23 * 11 * channels)
            let image8 = Image(width: 23, height: 11, channels: channels, samples: bytes)
            XCTAssertEqual(try Image.decode(data: image8.tiffData()), image8, "8-bit, \(channels) channels")
            let words = (0..<(23 * 11 * channels)).map { _ in UInt16(truncatingIfNeeded: rng.next()) }
            let image16 = Image(width: 23, height: 11, channels: channels, samples16: words)
            XCTAssertEqual(try Image.decode(data: image16.tiffData()), image16, "16-bit, \(channels) channels")
            let floats = (0..<(23 * 11 * channels)).map { _ in Float(Int(rng.below(2_000_001)) - 1_000_000) / 1024 }
            let imageF = Image(width: 23, height: 11, channels: channels, floatSamples: floats)
            XCTAssertEqual(try Image.decode(data: imageF.tiffData()), imageF, "float, \(channels) channels")
        }
        XCTAssertThrowsError(try Image(width: 1, height: 1, channels: 1, floatSamples: [0.5]).pngData()) { error in
            XCTAssertEqual("\(error)", "<memory>: cannot encode PNG (PNG has no float samples; write TIFF)")
        }
    }

    func testWriteChoosesTIFFByExtension() throws {
        let directory = try Fixtures.temporaryDirectory(self)
        let image = Image(width: 3, height: 2, channels: 1, samples: [0, 1, 2, 3, 4, 5])
        try image.write(to: directory + "/mask.tif")
        XCTAssertEqual(try ImageInfo.read(contentsOf: directory + "/mask.tif").format, .tiff)
        XCTAssertEqual(try Image.read(contentsOf: directory + "/mask.tif"), image)
    }
}

/// Minimal classic little-endian TIFFs built by hand, for headers no writer would produce.
enum TIFFBuilder {
    /// One uncompressed 8-bit gray strip holding `data`, whatever size the header declares.
    static func gray8(width: UInt32, height: UInt32, data: [UInt8], nextDirectory: UInt32 = 0) -> [UInt8] {
        // (tag, type, value): type 3 SHORT, 4 LONG.
        let entries: [(UInt16, UInt16, UInt32)] = [
            (256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 0), (277, 3, 1), (278, 4, height), (279, 4, UInt32(data.count)),
        ]
        let ifdOffset = 8
        let dataOffset = UInt32(ifdOffset + 2 + entries.count * 12 + 4)
        var out: [UInt8] = [0x49, 0x49, 42, 0]
        func le16(_ v: UInt16) { out += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func le32(_ v: UInt32) { out += (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        le32(UInt32(ifdOffset))
        le16(UInt16(entries.count))
        for (tag, type, value) in entries {
            le16(tag)
            le16(type)
            le32(1)
            if type == 3 { le16(UInt16(value)); le16(0) } else { le32(tag == 273 ? dataOffset : value) }
        }
        le32(nextDirectory)
        return out + data
    }
}
