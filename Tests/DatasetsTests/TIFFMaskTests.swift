import Foundation
import XCTest
import TestSupport
import ImageCodecs
@testable import Datasets

/// TIFF masks go through the same rules as PNG ones: 8- and 16-bit gray label images, 16-bit
/// values below 256 only, float masks refused.
final class TIFFMaskTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testSixteenBitLabelTIFFWrittenByTifffile() throws {
        let here = URL(fileURLWithPath: #filePath)
        let path = here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/images/tiff/labels16.tif").path
        let mask = try Mask.read(contentsOf: path)
        XCTAssertEqual([mask.width, mask.height], [19, 13])
        // Tools/make_tiff_fixtures.py: class 1 in rows 3..<9, columns 4..<12; class 2 from (14, 9) on.
        XCTAssertEqual(mask.classes[3 * 19 + 4], 1)
        XCTAssertEqual(mask.classes[8 * 19 + 11], 1)
        XCTAssertEqual(mask.classes[12 * 19 + 18], 2)
        XCTAssertEqual(mask.classes.filter { $0 == 1 }.count, 6 * 8)
        XCTAssertEqual(mask.classes.filter { $0 == 2 }.count, 4 * 5)
    }

    func testTIFFMasksFollowThePNGRules() throws {
        let d = try DatasetBuilder(self)
        let eight = try d.mask("a.tif", Image(width: 3, height: 1, channels: 1, samples: [0, 255, 255]))
        XCTAssertEqual(try ImageInfo.read(contentsOf: eight).format, .tiff)
        XCTAssertEqual(try Mask.read(contentsOf: eight, encoding: .binary255).classes, [0, 1, 1])
        let big = try d.mask("b.tif", Image(width: 2, height: 1, channels: 1, samples16: [UInt16(1), 300]))
        XCTAssertThrowsError(try Mask.read(contentsOf: big)) { error in
            XCTAssertEqual("\(error)", "\(big): 16-bit mask value 300 at pixel (1, 0) is not a class index (must be below 256)")
        }
        let float = try d.mask("c.tif", Image(width: 2, height: 1, channels: 1, floatSamples: [0, 1]))
        XCTAssertThrowsError(try Mask.read(contentsOf: float)) { error in
            XCTAssertEqual("\(error)", "\(float): 32-bit float masks are not class indices; save as 8- or 16-bit")
        }
    }
}
