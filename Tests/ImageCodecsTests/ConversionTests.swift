import XCTest
@testable import ImageCodecs

final class ConversionTests: XCTestCase {
    func testPlanarFloatsAreCHWInUnitRange() {
        // 2x1 RGB: pixel 0 = (0, 51, 255), pixel 1 = (255, 102, 0)
        let image = Image(width: 2, height: 1, channels: 3, samples: [0, 51, 255, 255, 102, 0])
        XCTAssertEqual(image.planarFloats(normalization: .unitRange), [0, 1, 0.2, 0.4, 1, 0])
        XCTAssertEqual(image.planarFloats(normalization: .raw), [0, 255, 51, 102, 255, 0])
        let wide = Image(width: 1, height: 1, channels: 1, samples16: [UInt16(65535)])
        XCTAssertEqual(wide.planarFloats(), [1])
    }

    func testPlanarRoundTripClampsAndRounds() {
        let back = Image(planar: [-0.5, 0.5, 1.7, 0.2 / 255 + 0.1, .nan, 1], width: 3, height: 1, channels: 2)
        XCTAssertEqual(back.uint8Samples, [0, 26, 128, 0, 255, 255])
        var rng = TestRandom(seed: 5)
        let image = Image(width: 7, height: 3, channels: 4, samples: rng.bytes(84))
        let norm = Normalization.meanStd(mean: [0.5, 0.4, 0.3, 0.2], std: [0.2, 0.25, 0.3, 0.5])
        XCTAssertEqual(Image(planar: image.planarFloats(normalization: norm), width: 7, height: 3, channels: 4,
                             normalization: norm), image)
        let deep = Image(width: 2, height: 2, channels: 1, samples16: [UInt16(0), 1, 40000, 65535])
        XCTAssertEqual(Image(planar: deep.planarFloats(), width: 2, height: 2, channels: 1, sampleType: .uint16), deep)
    }

    func testChannelConversions() {
        let gray = Image(width: 2, height: 1, channels: 1, samples: [10, 200])
        XCTAssertEqual(gray.converted(toChannels: 3).uint8Samples, [10, 10, 10, 200, 200, 200])
        XCTAssertEqual(gray.converted(toChannels: 2).uint8Samples, [10, 255, 200, 255])
        let rgba = Image(width: 1, height: 1, channels: 4, samples: [255, 0, 0, 7])
        XCTAssertEqual(rgba.converted(toChannels: 3).uint8Samples, [255, 0, 0])
        XCTAssertEqual(rgba.converted(toChannels: 1).uint8Samples, [76])  // 0.299 * 255 = 76.2
        XCTAssertEqual(rgba.converted(toChannels: 2).uint8Samples, [76, 7])
        let indexed = Image(width: 2, height: 1, channels: 1, samples: [1, 0], palette: [RGBA8(1, 2, 3), RGBA8(4, 5, 6)])
        XCTAssertEqual(indexed.converted(toChannels: 3).uint8Samples, [4, 5, 6, 1, 2, 3])
        XCTAssertNil(indexed.converted(toChannels: 3).palette)
    }

    func testTo8BitRounds() {
        let deep = Image(width: 4, height: 1, channels: 1, samples16: [UInt16(0), 128, 32896, 65535])
        XCTAssertEqual(deep.to8Bit().uint8Samples, [0, 0, 128, 255])
    }

    func testAllEightOrientations() {
        // 3x2 image with distinct values: row 0 = 1 2 3, row 1 = 4 5 6
        let image = Image(width: 3, height: 2, channels: 1, samples: [1, 2, 3, 4, 5, 6])
        let expected: [Int: (Int, Int, [UInt8])] = [
            1: (3, 2, [1, 2, 3, 4, 5, 6]),
            2: (3, 2, [3, 2, 1, 6, 5, 4]),
            3: (3, 2, [6, 5, 4, 3, 2, 1]),
            4: (3, 2, [4, 5, 6, 1, 2, 3]),
            5: (2, 3, [1, 4, 2, 5, 3, 6]),
            6: (2, 3, [4, 1, 5, 2, 6, 3]),
            7: (2, 3, [6, 3, 5, 2, 4, 1]),
            8: (2, 3, [3, 6, 2, 5, 1, 4]),
        ]
        for (orientation, (w, h, samples)) in expected {
            let turned = image.applyingEXIFOrientation(orientation)
            XCTAssertEqual([turned.width, turned.height], [w, h], "orientation \(orientation)")
            XCTAssertEqual(turned.uint8Samples, samples, "orientation \(orientation)")
        }
    }
}
