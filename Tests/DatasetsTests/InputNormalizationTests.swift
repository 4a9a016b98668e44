import Foundation
import XCTest
import TestSupport
@testable import Datasets

/// The two normalisation schemes: dataset mean/std and per-image percentiles; how they are stored.
final class InputNormalizationTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testPercentilesMatchNumpy() {
        // numpy.percentile([5, 1, 9, 3, 7, 2, 8, 6, 4, 10], q) for q = 1, 99.8, 25, 50, 0, 100.
        let sorted: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        for (q, expected) in [(1, 1.09), (99.8, 9.982), (25, 3.25), (50, 5.5), (0, 1), (100, 10)] as [(Float, Float)] {
            XCTAssertEqual(InputNormalization.percentile(q, ofSorted: sorted), expected, accuracy: 1e-5, "q = \(q)")
        }
        XCTAssertEqual(InputNormalization.percentile(50, ofSorted: [4]), 4)
    }

    func testPercentilePrepareMapsEachChannelOfTheWholeImageToUnitRange() {
        // Two channels of 10 pixels: 0.1...1.0, and the same times 100 (a float image's range).
        let ramp = (1...10).map { Float($0) / 10 }
        var pixels = ramp + ramp.map { $0 * 100 }
        InputNormalization.percentile(low: 10, high: 90, channels: 2).prepare(&pixels, channels: 2)
        // The 10th and 90th percentiles of 0.1...1.0 are 0.19 and 0.91: (x - 0.19) / 0.72, clipped.
        let expected = ramp.map { min(max(($0 - 0.19) / 0.72, 0), 1) }
        for (i, value) in pixels.enumerated() {
            XCTAssertEqual(value, expected[i % 10], accuracy: 1e-5, "pixel \(i)")
        }
        XCTAssertEqual(pixels[10 + 4], 0.430_555_6, accuracy: 1e-5, "channel 1 is scaled by its own percentiles: (50 - 19) / 72")
        // A constant channel becomes 0 rather than dividing by zero.
        var flat: [Float] = [0.3, 0.3, 0.3]
        InputNormalization.percentile(low: 1, high: 99.8, channels: 1).prepare(&flat, channels: 1)
        XCTAssertEqual(flat, [0, 0, 0])
        // The dataset scheme leaves images as they are in this step.
        var untouched = ramp
        InputNormalization(mean: [0.5], std: [0.2]).prepare(&untouched, channels: 1)
        XCTAssertEqual(untouched, ramp)
    }

    func testStoredFormAndOlderCheckpoints() throws {
        let percentile = InputNormalization.percentile(low: 1, high: 99.8, channels: 1)
        let json = String(decoding: try JSONEncoder().encode(percentile), as: UTF8.self)
        XCTAssertTrue(json.contains("\"scheme\":\"percentile\""), json)
        XCTAssertTrue(json.contains("\"percentiles\":[1,99.8"), json)
        XCTAssertEqual(try JSONDecoder().decode(InputNormalization.self, from: Data(json.utf8)), percentile)
        // Written before there was a choice: no scheme means the dataset mean/std.
        let old = try JSONDecoder().decode(InputNormalization.self, from: Data(#"{"mean":[0.4],"std":[0.2]}"#.utf8))
        XCTAssertEqual(old, InputNormalization(mean: [0.4], std: [0.2]))
        XCTAssertEqual(old.scheme, .dataset)
        XCTAssertThrowsError(try JSONDecoder().decode(InputNormalization.self,
                                                      from: Data(#"{"mean":[0],"std":[1],"scheme":"zscore"}"#.utf8))) { error in
            XCTAssertTrue("\(error)".contains("unknown scheme \\\"zscore\\\"") || "\(error)".contains("unknown scheme \"zscore\""), "\(error)")
        }
    }

    func testPercentileProblemsAreNamed() {
        func problems(_ low: Float, _ high: Float) -> [String] {
            InputNormalization.percentile(low: low, high: high, channels: 1).problems(channels: 1).map { "\($0.field) \($0.problem)" }
        }
        XCTAssertEqual(problems(1, 99.8), [])
        XCTAssertEqual(problems(-1, 50), ["percentiles[0] is -1.0; a percentile must be within 0...100"])
        XCTAssertEqual(problems(50, 50), ["percentiles are 50.0 and 50.0; the low percentile must be below the high one"])
        XCTAssertEqual(problems(.nan, 101), ["percentiles[0] is nan; a percentile must be within 0...100",
                                             "percentiles[1] is 101.0; a percentile must be within 0...100"])
    }
}
