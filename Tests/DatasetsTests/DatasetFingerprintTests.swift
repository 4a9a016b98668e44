import Foundation
import ImageCodecs
import TestSupport
import XCTest
@testable import Datasets

/// The fingerprint's numbers on datasets built so that every number is known in advance.
final class DatasetFingerprintTests: XCTestCase {
    /// Two 4×4 gray images: A alternates 0.2/0.4 (mean 0.3, std 0.1), B alternates 0.6/0.8
    /// (mean 0.7, std 0.1). A's mask holds a 2×2 square and a single pixel of class 1.
    func twoImages() -> DatasetFingerprint {
        var b = DatasetFingerprint.Builder(channels: 1, classCount: 2)
        let a: [Float] = (0..<16).map { Float($0 % 2 == 0 ? 51 : 102) / 255 }
        let bright: [Float] = (0..<16).map { Float($0 % 2 == 0 ? 153 : 204) / 255 }
        var maskA = [Int32](repeating: 0, count: 16)
        for i in [0, 1, 4, 5, 15] { maskA[i] = 1 }
        b.add(image: a, height: 4, width: 4, bitDepth: 8, mask: maskA)
        b.add(image: bright, height: 4, width: 4, bitDepth: 8, mask: [Int32](repeating: 0, count: 16))
        return b.finish()
    }

    func testIntensityStatistics() {
        let f = twoImages()
        XCTAssertEqual(f.imageCount, 2)
        XCTAssertEqual(f.bitDepth, 8)
        let i = f.intensities[0]
        XCTAssertEqual(i.mean, 0.5, accuracy: 1e-6)
        XCTAssertEqual(i.std, (0.05).squareRoot(), accuracy: 1e-6, "values 0.2, 0.4, 0.6, 0.8 equally often")
        // Image means 0.3 and 0.7: their std 0.2 over the within-image std 0.1.
        XCTAssertEqual(i.betweenImageSpread, 2, accuracy: 1e-5)
        XCTAssertEqual(i.outlyingImageShare, 1)
        // 32 values; percentile q takes rank ⌊q/100·31⌋ of the sorted values.
        XCTAssertEqual(i.p0_5, 0.2, accuracy: 1e-7)
        XCTAssertEqual(i.p50, 0.4, accuracy: 1e-7)
        XCTAssertEqual(i.p99_5, 0.8, accuracy: 1e-7)
        XCTAssertEqual(i.tailRatio, 1, accuracy: 1e-6)
    }

    func testClassesAndObjects() {
        let f = twoImages()
        XCTAssertEqual(f.classes.map(\.pixelShare), [27.0 / 32, 5.0 / 32])
        XCTAssertEqual(f.classes.map(\.imageShare), [1, 0.5])
        XCTAssertEqual(f.backgroundClass, 0)
        let objects = f.classes[1]
        XCTAssertEqual(objects.objectCount, 2, "a 2×2 square and a lone pixel")
        XCTAssertEqual(objects.objectArea.min, 1)
        XCTAssertEqual(objects.objectArea.max, 4)
        XCTAssertEqual(objects.objectArea.median, 2.5)
        XCTAssertEqual(objects.medianDiameter, (4 * 2.5 / Double.pi).squareRoot(), accuracy: 1e-12)
        // Background: one component of 11 pixels in A, the whole of B; both span their image.
        XCTAssertEqual(f.classes[0].objectCount, 0)
        XCTAssertEqual(f.classes[0].spanningCount, 2)
        XCTAssertEqual(f.classes[1].spanningCount, 0)
        XCTAssertEqual(f.largeObjectDiameter, (4 * 3.7 / Double.pi).squareRoot(), accuracy: 1e-12, "p90 of areas 1 and 4 is 3.7")
    }

    func testAHomogeneousSetHasNoSpread() {
        var b = DatasetFingerprint.Builder(channels: 3, classCount: 2)
        for k in 0..<3 {
            // The same texture, shifted: every image has the same mean and std per channel.
            let image: [Float] = (0..<(3 * 64)).map { i in Float((i + k) % 4) / 4 }
            b.add(image: image, height: 8, width: 8, bitDepth: 8, mask: (0..<64).map { Int32($0 % 2) })
        }
        let f = b.finish()
        XCTAssertEqual(f.channels, 3)
        for i in f.intensities {
            XCTAssertEqual(i.betweenImageSpread, 0, accuracy: 1e-9)
            XCTAssertEqual(i.outlyingImageShare, 0)
        }
        XCTAssertEqual(f.heights.median, 8)
        // Class = column parity (width 8 is even): each column of 8 pixels is one component, 1
        // pixel wide, so none spans the image's width.
        XCTAssertEqual(f.classes[1].objectCount, 3 * 4)
        XCTAssertEqual(f.classes[1].objectArea.median, 8)
    }

    func testAFewBrightPixelsMakeAHeavyTail() {
        var b = DatasetFingerprint.Builder(channels: 1, classCount: 1)
        // 997 pixels spread over [0, 0.1], three (0.3%) at 1: p99.9 lands on them, p99.5 does not.
        var image = (0..<997).map { Float($0 % 100) / 1000 }
        image += [1, 1, 1]
        b.add(image: image, height: 1, width: 1000, bitDepth: 8, mask: [Int32](repeating: 0, count: 1000))
        XCTAssertGreaterThan(b.finish().intensities[0].tailRatio, 3)
    }

    /// From files: 16-bit PNGs report their bit depth; masks are read through the dataset.
    func testMeasuresAFolder() throws {
        let root = try scratchDirectory("fingerprint", subfolders: ["images", "masks"])
        for k in 0..<3 {
            let pixels = (0..<(10 * 12)).map { UInt16(($0 * 500 + k * 1000) % 65536) }
            try Image(width: 12, height: 10, channels: 1, samples16: pixels).write(to: "\(root)/images/i\(k).png")
            let mask = (0..<(10 * 12)).map { UInt8($0 < 60 ? 0 : 1) }
            try Image(width: 12, height: 10, channels: 1, samples: mask).write(to: "\(root)/masks/i\(k).png")
        }
        let data = try PreparedData.load(.root(root), validationFraction: 0, seed: 0)
        var done: [Int] = []
        let f = try DatasetFingerprint.measure(data) { done.append($0) }
        XCTAssertEqual(done, [1, 2, 3])
        XCTAssertEqual(f.imageCount, 3)
        XCTAssertEqual(f.bitDepth, 16)
        XCTAssertEqual(f.widths.median, 12)
        XCTAssertEqual(f.heights.max, 10)
        XCTAssertEqual(f.classes.map(\.pixelShare), [0.5, 0.5])
        XCTAssertEqual(f.classes[1].objectCount, 3, "the lower half: full width, half the height, so not spanning")
        let roundTrip = try JSONDecoder().decode(DatasetFingerprint.self, from: JSONEncoder().encode(f))
        XCTAssertEqual(roundTrip, f)
    }
}
