#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ImageCodecs
import XCTest
import TestSupport

/// Image readers refuse special files and files over the size their decode limits allow.
final class ImageFileLimitsTests: XCTestCase {
    func testImageReadersRefuseSpecialFilesAndHugeFiles() throws {
        XCTAssertThrowsError(try ImageInfo.read(contentsOf: "/dev/zero")) {
            XCTAssertEqual("\($0)", "/dev/zero: not a regular file (a character device)")
        }
        // The size cap follows the pixel limit: 16 bytes a pixel (float RGBA TIFF) plus 64 MiB.
        XCTAssertEqual(DecodeLimits(maxPixels: 100).maxFileBytes, 1600 + (64 << 20))
        XCTAssertEqual(DecodeLimits.default.maxFileBytes, (4 << 30) + (64 << 20))
    }
}
