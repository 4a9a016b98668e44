import XCTest
import TestSupport
import ImageCodecs
@testable import Datasets

final class MaskDecodingTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testGrayIndexMaskKeepsValues() throws {
        let image = Image(width: 3, height: 1, channels: 1, samples: [0, 2, 5])
        XCTAssertEqual(try Mask(image: image, path: "m.png").classes, [0, 2, 5])
    }

    /// Gray levels mean what the dataset's encoding says, never what one file suggests.
    func testGrayLevelsFollowTheDatasetEncoding() throws {
        let d = try DatasetBuilder(self)
        let path = try d.grayMask("m.png", width: 2, height: 2, values: [0, 255, 255, 0])
        XCTAssertEqual(try Mask.read(contentsOf: path, encoding: .binary255).classes, [0, 1, 1, 0])
        XCTAssertEqual(try Mask.read(contentsOf: path).classes, [0, 255, 255, 0])
        // A level other than 0 and 255 has no class in a binary dataset.
        let image = Image(width: 3, height: 1, channels: 1, samples: [0, 255, 1])
        XCTAssertThrowsError(try Mask(image: image, path: "m.png", encoding: .binary255)) { error in
            XCTAssertEqual("\(error)", "m.png: gray level 1 at pixel (2, 0) in a dataset of binary 0/255 masks")
        }
        // Palette indices are classes whatever the encoding.
        let palette = Image(width: 2, height: 1, channels: 1, samples: [0, 255], palette: [RGBA8](repeating: RGBA8(0, 0, 0), count: 256))
        XCTAssertEqual(try Mask(image: palette, path: "p.png", encoding: .binary255).classes, [0, 255])
    }

    func testPaletteMaskGivesIndices() throws {
        let d = try DatasetBuilder(self)
        let palette = [RGBA8(0, 0, 0), RGBA8(255, 0, 0), RGBA8(0, 0, 255)]
        let path = try d.mask("p.png", Image(width: 3, height: 2, channels: 1, samples: [0, 1, 2, 2, 1, 0], palette: palette))
        XCTAssertEqual(try Mask.read(contentsOf: path).classes, [0, 1, 2, 2, 1, 0])
    }

    func testGrayAlphaUsesGrayChannel() throws {
        let image = Image(width: 2, height: 1, channels: 2, samples: [3, 0, 1, 255])
        XCTAssertEqual(try Mask(image: image, path: "m.png").classes, [3, 1])
    }

    func testSixteenBitMasks() throws {
        let ok = Image(width: 2, height: 1, channels: 1, samples16: [UInt16(4), 255])
        XCTAssertEqual(try Mask(image: ok, path: "m.png").classes, [4, 255])
        let bad = Image(width: 2, height: 1, channels: 1, samples16: [UInt16(4), 300])
        XCTAssertThrowsError(try Mask(image: bad, path: "m16.png")) { error in
            XCTAssertEqual("\(error)", "m16.png: 16-bit mask value 300 at pixel (1, 0) is not a class index (must be below 256)")
        }
    }

    func testRGBMaskThroughClassMap() throws {
        let d = try DatasetBuilder(self)
        let json = """
        {"classes": [{"name": "background", "color": [0, 0, 0], "index": 0},
                     {"name": "road", "color": [128, 64, 128], "index": 1},
                     {"name": "car", "colour": [0, 0, 142], "index": 2}]}
        """
        try json.write(toFile: d.root + "/classes.json", atomically: false, encoding: .utf8)
        let map = try ClassMap.load(contentsOf: d.root + "/classes.json")
        XCTAssertEqual(map.classCount, 3)
        XCTAssertEqual(map.entries[2].name, "car")
        let rgb = Image(width: 3, height: 1, channels: 3, samples: [0, 0, 0, 128, 64, 128, 0, 0, 142])
        let path = try d.mask("rgb.png", rgb)
        XCTAssertEqual(try Mask.read(contentsOf: path, classMap: map).classes, [0, 1, 2])

        let unknown = Image(width: 2, height: 2, channels: 4, samples: [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 1, 2, 3, 255])
        let badPath = try d.mask("bad.png", unknown)
        XCTAssertThrowsError(try Mask.read(contentsOf: badPath, classMap: map)) { error in
            XCTAssertEqual(error as? DatasetError,
                           .badMask(path: badPath, reason: "colour (1, 2, 3) at pixel (1, 1) is not in the class map"))
        }
        // Without a map a coloured mask is refused, a gray-as-RGB one is accepted.
        XCTAssertThrowsError(try Mask(image: rgb, path: "rgb.png")) { error in
            XCTAssertTrue("\(error)".contains("needs a class map"), "\(error)")
        }
        let grayRGB = Image(width: 2, height: 1, channels: 3, samples: [0, 0, 0, 255, 255, 255])
        XCTAssertEqual(try Mask(image: grayRGB, path: "g.png").classes, [0, 255])
        XCTAssertEqual(try Mask(image: grayRGB, path: "g.png", encoding: .binary255).classes, [0, 1])
    }

    func testClassMapErrors() throws {
        XCTAssertThrowsError(try ClassMap(entries: [.init(name: "a", color: [1, 2], index: 0)], path: "c.json")) { error in
            XCTAssertEqual("\(error)", "c.json: bad class map: class \"a\": colour needs 3 components, got 2")
        }
        XCTAssertThrowsError(try ClassMap(entries: [.init(name: "a", color: [1, 2, 3], index: 0),
                                                    .init(name: "b", color: [1, 2, 3], index: 1)]))
        let d = try DatasetBuilder(self)
        try "{\"classes\": 3}".write(toFile: d.root + "/c.json", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try ClassMap.load(contentsOf: d.root + "/c.json")) { error in
            guard case .badClassMap(let path, _) = error as? DatasetError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, d.root + "/c.json")
        }
    }

    /// Class names reach terminals (training progress, evaluation tables): an escape sequence in
    /// classes.json is refused, and the message does not repeat it.
    func testClassMapRefusesControlCharactersInNames() throws {
        XCTAssertThrowsError(try ClassMap(entries: [.init(name: "bg", color: [0, 0, 0], index: 0),
                                                    .init(name: "\u{1B}[2Jroad", color: [1, 2, 3], index: 1)], path: "c.json")) { error in
            XCTAssertEqual("\(error)", "c.json: bad class map: the name of entry 1 contains the control character U+001B; names are printed to terminals")
        }
        XCTAssertThrowsError(try ClassMap(entries: [.init(name: "", color: [0, 0, 0], index: 0)], path: "c.json")) { error in
            XCTAssertEqual("\(error)", "c.json: bad class map: the name of entry 0 is empty")
        }
    }

    func testJPEGMaskIsRefused() throws {
        let d = try DatasetBuilder(self)
        let path = try d.grayMask("m.jpg")
        XCTAssertThrowsError(try Mask.read(contentsOf: path)) { error in
            XCTAssertEqual("\(error)", "\(path): lossy JPEG masks corrupt class labels; convert to PNG")
        }
    }
}
