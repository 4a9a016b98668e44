import XCTest
@testable import Tensors

/// bfloat16 rounding, bit by bit: the upper 16 bits of a float32, rounded to nearest, ties to even.
final class BFloat16Tests: XCTestCase {
    func testRoundingToNearestEven() {
        XCTAssertEqual(BFloat16.bits(1), 0x3F80)
        XCTAssertEqual(BFloat16.bits(-2), 0xC000)
        // 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷: ties go to the even mantissa (1).
        XCTAssertEqual(BFloat16.bits(1 + 0x1p-8), 0x3F80)
        // 1 + 3·2⁻⁸ lies halfway between 1 + 2⁻⁷ (odd) and 1 + 2⁻⁶ (even): up.
        XCTAssertEqual(BFloat16.bits(1 + 3 * 0x1p-8), 0x3F82)
        // Just above a half rounds up, just below rounds down.
        XCTAssertEqual(BFloat16.bits(Float(bitPattern: 0x3F80_8001)), 0x3F81)
        XCTAssertEqual(BFloat16.bits(Float(bitPattern: 0x3F80_7FFF)), 0x3F80)
    }

    func testSpecialValues() {
        XCTAssertEqual(BFloat16.bits(.infinity), 0x7F80)
        XCTAssertEqual(BFloat16.bits(-.infinity), 0xFF80)
        XCTAssertEqual(BFloat16.bits(-0.0), 0x8000)
        XCTAssertEqual(BFloat16.bits(.greatestFiniteMagnitude), 0x7F80, "overflow rounds to infinity")
        XCTAssertTrue(BFloat16.float(BFloat16.bits(.nan)).isNaN, "NaN stays NaN (a payload rounding up must not make it infinite)")
        XCTAssertTrue(BFloat16.float(BFloat16.bits(Float(bitPattern: 0x7F80_0001))).isNaN, "a signalling NaN with a low payload")
        XCTAssertEqual(BFloat16.float(BFloat16.bits(0x1p-130)), 0x1p-130, "subnormals with few bits survive")
    }

    func testEveryBFloat16RoundTrips() {
        for bits in UInt16.min...UInt16.max {
            let x = BFloat16.float(bits)
            if x.isNaN { continue }
            XCTAssertEqual(BFloat16.bits(x), bits)
        }
    }
}
