import XCTest
import TestSupport
@testable import Datasets

final class MirrorPadTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testReflectIndexMatchesNumpyReflect() {
        // np.pad([0,1,2,3], (5,5), mode="reflect") == [1,2,3,2,1,0,1,2,3,2,1,0,1,2]
        let padded = (-5...8).map { reflectIndex($0, count: 4) }
        XCTAssertEqual(padded, [1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2])
        XCTAssertEqual(reflectIndex(-3, count: 1), 0)
    }

    func testMirrorPadTwoChannelsLargerThanImage() {
        // Two 2×2 planes padded by 3 on the left and 1 at the bottom.
        let data: [Int32] = [1, 2, 3, 4, 10, 20, 30, 40]
        let out = mirrorPad(data, channels: 2, height: 2, width: 2, top: 0, bottom: 1, left: 3, right: 0)
        // Row [1,2] reflected by 3 on the left: indices -3,-2,-1,0,1 -> 1,0,1,0,1
        XCTAssertEqual(out, [2, 1, 2, 1, 2,
                             4, 3, 4, 3, 4,
                             2, 1, 2, 1, 2,
                             20, 10, 20, 10, 20,
                             40, 30, 40, 30, 40,
                             20, 10, 20, 10, 20])
    }

    func testMirrorWindowInsideIsPlainCrop() {
        let data = (0..<16).map { Float($0) }
        XCTAssertEqual(mirrorWindow(data, channels: 1, height: 4, width: 4, top: 1, left: 2, outHeight: 2, outWidth: 2),
                       [6, 7, 10, 11])
    }
}
