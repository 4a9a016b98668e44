import XCTest
@testable import ImageCodecs

final class RoundTripTests: XCTestCase {
    private func random8(_ w: Int, _ h: Int, _ c: Int, seed: UInt64) -> Image {
        var rng = TestRandom(seed: seed)
        return Image(width: w, height: h, channels: c, samples: rng.bytes(w * h * c))
    }

    func testPNGRoundTripsAreBitExact() throws {
        for channels in 1...4 {
            let image = random8(17, 9, channels, seed: UInt64(channels))
            let back = try Image.decode(data: image.pngData())
            XCTAssertEqual(back, image, "8-bit, \(channels) channels")
        }
        var rng = TestRandom(seed: 16)
        for channels in [1, 3] {
            let samples = (0..<(11 * 5 * channels)).map { _ in UInt16(truncatingIfNeeded: rng.next()) }
            let image = Image(width: 11, height: 5, channels: channels, samples16: samples)
            let back = try Image.decode(data: image.pngData())
            XCTAssertEqual(back.sampleType, .uint16)
            XCTAssertEqual(back, image, "16-bit, \(channels) channels")
        }
    }

    func testIndexedPNGRoundTripKeepsIndicesAndPalette() throws {
        let palette = [RGBA8(0, 0, 0), RGBA8(255, 0, 0), RGBA8(0, 255, 0, 128), RGBA8(9, 8, 7)]
        var rng = TestRandom(seed: 3)
        let indices = (0..<(21 * 4)).map { _ in UInt8(rng.below(4)) }
        let image = Image(width: 21, height: 4, channels: 1, samples: indices, palette: palette)
        let data = try image.pngData()
        XCTAssertEqual(data[25], 3, "colour type 3 (palette) in IHDR")
        let back = try Image.decode(data: data)
        XCTAssertEqual(back.palette, palette)
        XCTAssertEqual(back.uint8Samples, indices)
    }

    func testJPEGQuality95IsAbove40dB() throws {
        let (w, h) = (64, 48)
        var samples = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let i = (y * w + x) * 3
                samples[i] = UInt8(40 + 160 * x / (w - 1))
                samples[i + 1] = UInt8(30 + 180 * y / (h - 1))
                samples[i + 2] = UInt8(128 + 60 * sin(Double(x) / 9) * cos(Double(y) / 7))
            }
        }
        let image = Image(width: w, height: h, channels: 3, samples: samples)
        let back = try Image.decode(data: image.jpegData(quality: 95))
        XCTAssertEqual([back.width, back.height, back.channels], [w, h, 3])
        let mse = zip(samples, back.uint8Samples!).map { let d = Double($0) - Double($1); return d * d }
            .reduce(0, +) / Double(samples.count)
        let psnr = 10 * log10(255 * 255 / max(mse, 1e-12))
        print("JPEG q95 round trip PSNR: \(String(format: "%.2f", psnr)) dB")
        XCTAssertGreaterThan(psnr, 40)
        // Lower quality must cost fidelity: guards against a test that passes regardless.
        let rough = try Image.decode(data: image.jpegData(quality: 5))
        let roughMSE = zip(samples, rough.uint8Samples!).map { let d = Double($0) - Double($1); return d * d }
            .reduce(0, +) / Double(samples.count)
        XCTAssertGreaterThan(roughMSE, mse * 4)
    }

    func testGrayJPEGRoundTrip() throws {
        let image = Image(width: 8, height: 8, channels: 1, samples: [UInt8](repeating: 77, count: 64))
        let back = try Image.decode(data: image.jpegData(quality: 90))
        XCTAssertEqual(back.channels, 1)
        XCTAssertTrue(back.uint8Samples!.allSatisfy { abs(Int($0) - 77) <= 1 })
    }

    func testWriteIsAtomicAndPicksFormatFromExtension() throws {
        let dir = try Fixtures.temporaryDirectory(self)
        let image = random8(5, 3, 3, seed: 9)
        try image.write(to: dir + "/a b é.png")
        XCTAssertEqual(try Image.read(contentsOf: dir + "/a b é.png"), image)
        try image.write(to: dir + "/a.JPG")
        XCTAssertEqual(try ImageInfo.read(contentsOf: dir + "/a.JPG").format, .jpeg)
        // Overwrite in place, and no temporary files are left behind.
        try random8(5, 3, 1, seed: 10).write(to: dir + "/a b é.png")
        XCTAssertEqual(try Image.read(contentsOf: dir + "/a b é.png").channels, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["a b é.png", "a.JPG"])
        XCTAssertThrowsError(try image.write(to: dir + "/missing/x.png")) { error in
            XCTAssertEqual((error as? ImageError)?.path, dir + "/missing/x.png")
        }
    }
}
