import XCTest
import Tensors

/// bfloat16 rounding: nearest, ties to even, at exact values.
final class BFloat16Tests: XCTestCase {
    func testRoundsToNearestTiesToEven() {
        let ulp: Float = 0x1p-7   // bfloat16 keeps 7 fraction bits: the spacing at 1
        let cases: [(Float, Float)] = [
            (1, 1),
            (1 + ulp, 1 + ulp),                          // representable
            (1 + ulp / 2, 1),                            // a tie: to the even neighbour (1)
            (1 + 3 * ulp / 2, 1 + 2 * ulp),              // a tie: to the even neighbour (1 + 2 ulp)
            (1 + ulp / 2 + 0x1p-20, 1 + ulp),            // just above a tie: up
            (1 + ulp / 2 - 0x1p-20, 1),                  // just below a tie: down
            (-(1 + 3 * ulp / 2), -(1 + 2 * ulp)),        // the sign plays no part
            (3.14159265, 3.140625),
            (0.1, 0.10009765625),
            (0, 0),
            (Float.greatestFiniteMagnitude, .infinity),  // overflow rounds to infinity, as IEEE rounding does
            (.infinity, .infinity),
            (-.infinity, -.infinity),
            (Float(bitPattern: 0x0000_8000), 0),         // a subnormal tie: to even (zero)
            (Float(bitPattern: 0x0001_8000), Float(bitPattern: 0x0002_0000)),
        ]
        for (x, expected) in cases {
            XCTAssertEqual(BFloat16.rounded(x), expected, "\(x)")
            XCTAssertEqual(BFloat16.float(BFloat16.bits(x)), expected, "\(x)")
        }
        XCTAssertEqual(BFloat16.bits(1), 0x3F80)
        XCTAssertEqual(BFloat16.bits(-2), 0xC000)
        XCTAssertTrue(BFloat16.rounded(.nan).isNaN)
        XCTAssertTrue(BFloat16.rounded(Float(bitPattern: 0x7F80_0001)).isNaN, "a signalling NaN must not round to infinity")
    }

    /// Every bfloat16 value is its own rounding, and bits round-trip.
    func testBFloat16ValuesAreFixedPoints() {
        for bits in stride(from: 0, through: 0xFFFF, by: 7).map(UInt16.init) {
            let x = BFloat16.float(bits)
            if x.isNaN { continue }
            XCTAssertEqual(BFloat16.bits(x), bits)
        }
    }
}
