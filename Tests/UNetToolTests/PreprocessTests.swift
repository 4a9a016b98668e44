import Foundation
import XCTest
import Datasets
import ImageCodecs
@testable import Training
import TestSupport

/// A dataset folder for one test under the temporary directory, removed at teardown.
private struct TempDataset {
    let root: String
    var images: String { root + "/images" }
    var masks: String { root + "/masks" }

    init(_ test: XCTestCase) throws {
        root = try test.scratchDirectory("preprocess", subfolders: ["images", "masks"])
    }

    /// An image whose samples are `i * 7 mod 256`.
    @discardableResult
    func image(_ file: String, width: Int, height: Int, channels: Int = 3) throws -> String {
        let samples = (0..<(width * height * channels)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let path = images + "/" + file
        try Image(width: width, height: height, channels: channels, samples: samples).write(to: path)
        return path
    }

    /// A gray mask with the given values.
    @discardableResult
    func mask(_ file: String, width: Int, height: Int, values: [UInt8]) throws -> String {
        let path = masks + "/" + file
        try Image(width: width, height: height, channels: 1, samples: values).write(to: path)
        return path
    }

    /// Bytes that are no image.
    @discardableResult
    func garbage(_ folder: String, _ file: String) -> String {
        let path = folder + "/" + file
        _ = FileManager.default.createFile(atPath: path, contents: Data("not an image".utf8))
        return path
    }
}

final class PreprocessTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    // MARK: check

    func testCheckReportListsEveryProblemAndSummarises() throws {
        let d = try TempDataset(self)
        try d.image("a.png", width: 4, height: 3)
        try d.mask("a.png", width: 4, height: 3, values: [0, 1, 0, 1, 1, 1, 0, 0, 2, 0, 0, 0])
        let lonelyImage = try d.image("b.png", width: 4, height: 3)
        let lonelyMask = try d.mask("c.png", width: 4, height: 3, values: [UInt8](repeating: 0, count: 12))
        let dImage = try d.image("d.png", width: 4, height: 3)
        let dMask = try d.mask("d.png", width: 5, height: 3, values: [UInt8](repeating: 1, count: 15))
        try d.image("e.png", width: 6, height: 2, channels: 1)
        let jpegMask = d.masks + "/e.jpg"
        try Image(width: 6, height: 2, channels: 1, samples: [UInt8](repeating: 0, count: 12)).write(to: jpegMask)
        let badImage = d.garbage(d.images, "f.png")
        try d.mask("f.png", width: 2, height: 1, values: [0, 0])
        try d.image("g.png", width: 2, height: 2, channels: 1)
        let gMask = try d.mask("g.png", width: 2, height: 2, values: [0, 1, 2, 5])

        let folder = try DatasetFolder.scan(root: d.root)
        let report = folder.report(classCount: 3)
        var badReason = ""
        XCTAssertThrowsError(try Image.read(contentsOf: badImage)) { badReason = ($0 as! ImageError).reason }
        XCTAssertEqual(report.problems, [
            .imageWithoutMask(image: lonelyImage),
            .maskWithoutImage(mask: lonelyMask),
            .sizeMismatch(image: dImage, imageWidth: 4, imageHeight: 3, mask: dMask, maskWidth: 5, maskHeight: 3),
            .jpegMask(mask: jpegMask),
            .undecodable(path: badImage, reason: badReason),
            .classOutOfRange(mask: gMask, value: 5, x: 1, y: 1, classCount: 3),
            .implausibleMaskValues(masks: d.masks, values: [0, 1, 2, 5], reason: "are not all below the class count 3 (5 is not)",
                                   uses: [.init(value: 5, pixels: 1, masks: 1, examples: [gMask]),
                                          .init(value: 2, pixels: 2, masks: 2, examples: [d.masks + "/a.png", gMask]),
                                          .init(value: 0, pixels: 10, masks: 3, examples: [d.masks + "/a.png", d.masks + "/f.png", gMask]),
                                          .init(value: 1, pixels: 20, masks: 3, examples: [d.masks + "/a.png", dMask, gMask])]),
        ])
        XCTAssertEqual(report.pairCount, 5)
        // Images a, d (4x3 RGB), e (6x2 gray), g (2x2 gray); f does not decode.
        XCTAssertEqual(report.sizes.count, 4)
        XCTAssertEqual(report.minSize?.width, 2)
        XCTAssertEqual(report.minSize?.height, 2)
        XCTAssertEqual(report.maxSize?.width, 6)
        XCTAssertEqual(report.maxSize?.height, 3)
        XCTAssertEqual(report.channels, [3: 2, 1: 2])
        // Masks a (7×0, 4×1, 1×2), d (15×1), f (2×0), g (0, 1, 2, 5); the JPEG mask is skipped.
        XCTAssertEqual(report.classHistogram, [10, 20, 2, 0, 0, 1])
        XCTAssertTrue(report.summary.contains("sizes     min 2x2, max 6x3 (3 distinct)"), "\(report.summary)")
        XCTAssertTrue(report.summary.contains("channels  gray: 2, RGB: 2"), "\(report.summary)")
        XCTAssertEqual(report.summary.last, "7 problem(s)")
        // Rows for the classes below --classes and those present: no rows for the absent 3 and 4.
        XCTAssertEqual(report.summary.filter { $0.hasSuffix("%") || $0.hasSuffix("--classes)") }.map { $0.split(separator: " ")[0] },
                       ["0", "1", "2", "5"], "\(report.summary)")
    }

    // MARK: convert-masks

    private func classMap() throws -> ClassMap {
        try ClassMap(entries: [.init(name: "background", color: [0, 0, 0], index: 0),
                               .init(name: "cell", color: [255, 0, 0], index: 1),
                               .init(name: "nucleus", color: [0, 255, 0], index: 3)])
    }

    func testConvertMasksMapsColoursExactlyToAnIndexedPNG() throws {
        let d = try TempDataset(self)
        let map = try classMap()
        // 3x2 RGBA: black, red, green / green, black, red; alpha varies and is ignored.
        let rgba: [UInt8] = [0, 0, 0, 255, 255, 0, 0, 0, 0, 255, 0, 7,
                             0, 255, 0, 255, 0, 0, 0, 10, 255, 0, 0, 255]
        try Image(width: 3, height: 2, channels: 4, samples: rgba).write(to: d.masks + "/m.png")
        let out = d.root + "/converted"
        let outcome = try ColorMaskConversion.convertFolder(masks: d.masks, classMap: map, out: out)
        XCTAssertEqual(outcome, PreprocessOutcome(written: 1, problems: []))
        let written = try Image.read(contentsOf: out + "/m.png")
        XCTAssertEqual(written.uint8Samples, [0, 1, 3, 3, 0, 1])
        XCTAssertEqual(written.palette, [RGBA8(0, 0, 0), RGBA8(255, 0, 0), RGBA8(0, 0, 0), RGBA8(0, 255, 0)])
        XCTAssertEqual(try Mask.read(contentsOf: out + "/m.png").classes, [0, 1, 3, 3, 0, 1])
        // Viewable: expanding the palette gives back the colours.
        XCTAssertEqual(written.expandingPalette().uint8Samples,
                       [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0])
    }

    func testConvertMasksNamesFileColourAndPixelOfAnUnknownColour() throws {
        let d = try TempDataset(self)
        try Image(width: 2, height: 1, channels: 3, samples: [255, 0, 0, 0, 0, 0]).write(to: d.masks + "/good.png")
        let bad = d.masks + "/bad.png"
        try Image(width: 3, height: 2, channels: 3, samples: [0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                              0, 0, 0, 0, 0, 0, 1, 2, 3]).write(to: bad)
        let out = d.root + "/converted"
        let outcome = try ColorMaskConversion.convertFolder(masks: d.masks, classMap: classMap(), out: out)
        XCTAssertEqual(outcome.written, 1)
        XCTAssertEqual(outcome.problems, [.badMask(mask: bad, reason: "colour (1, 2, 3) at pixel (2, 1) is not in the class map")])
        XCTAssertEqual(outcome.problems[0].description, "\(bad): colour (1, 2, 3) at pixel (2, 1) is not in the class map")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/good.png"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/bad.png"))
    }

    // MARK: resize

    func testSmoothResizeAreaAndBilinearValues() {
        let gray = Image(width: 4, height: 2, channels: 1, samples: [10, 20, 30, 40, 50, 60, 70, 80])
        XCTAssertEqual(gray.resized(width: 2, height: 1, filter: .smooth).uint8Samples, [35, 55])
        // Non-integer area: [0, 30, 90] → pixel 0 covers [0, 1.5), pixel 1 [1.5, 3).
        let row = Image(width: 3, height: 1, channels: 1, samples: [0, 30, 90])
        XCTAssertEqual(row.resized(width: 2, height: 1, filter: .smooth).uint8Samples, [10, 70])
        // Bilinear, half-pixel centres: sources -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        let two = Image(width: 2, height: 1, channels: 1, samples: [0, 100])
        XCTAssertEqual(two.resized(width: 4, height: 1, filter: .smooth).uint8Samples, [0, 25, 75, 100])
        // Same size: unchanged.
        XCTAssertEqual(gray.resized(width: 4, height: 2, filter: .smooth), gray)
    }

    func testNearestResizeKeepsClassValuesPaletteAndExactSize() {
        let row = Image(width: 4, height: 1, channels: 1, samples: [0, 1, 2, 3])
        XCTAssertEqual(row.resized(width: 2, height: 1, filter: .nearest).uint8Samples, [1, 3])
        XCTAssertEqual(row.resized(width: 8, height: 1, filter: .nearest).uint8Samples, [0, 0, 1, 1, 2, 2, 3, 3])
        let palette = [RGBA8(0, 0, 0), RGBA8(255, 0, 0), RGBA8(0, 0, 255), RGBA8(9, 9, 9), RGBA8(1, 1, 1)]
        let values: [UInt8] = (0..<35).map { ($0 * 3 + $0 / 5) % 3 == 0 ? 0 : ($0 % 2 == 0 ? 2 : 4) }
        let mask = Image(width: 7, height: 5, channels: 1, samples: values, palette: palette)
        for (w, h) in [(3, 2), (13, 11), (1, 1), (7, 9)] {
            let r = mask.resized(width: w, height: h, filter: .nearest)
            XCTAssertEqual(r.width, w)
            XCTAssertEqual(r.height, h)
            XCTAssertEqual(r.palette, palette)
            XCTAssertTrue(Set(r.uint8Samples!).isSubset(of: Set(values)), "\(w)x\(h) invented a class")
        }
    }

    func testResizeTargets() {
        func size(_ t: ResizeTarget, _ w: Int, _ h: Int) -> [Int] { let s = t.outputSize(width: w, height: h); return [s.width, s.height] }
        XCTAssertEqual(size(.scale(0.5), 5, 3), [3, 2])
        XCTAssertEqual(size(.size(width: 7, height: 9), 5, 3), [7, 9])
        XCTAssertEqual(size(.maxSide(100), 400, 200), [100, 50])
        XCTAssertEqual(size(.maxSide(100), 150, 300), [50, 100])
        XCTAssertEqual(size(.maxSide(100), 50, 80), [50, 80])
    }

    func testResizeDatasetWritesExactSizesAndOnlyExistingClasses() throws {
        let d = try TempDataset(self)
        try d.image("a.png", width: 9, height: 6)
        let values: [UInt8] = (0..<54).map { UInt8([0, 1, 3][$0 % 3]) }
        try d.mask("a.png", width: 9, height: 6, values: values)
        _ = FileManager.default.createFile(atPath: d.root + "/classes.json", contents: Data("{}".utf8))
        let out = scratchPath("preprocess-resized")
        let outcome = try DatasetFolder.scan(root: d.root).resized(to: .size(width: 4, height: 5), out: out)
        XCTAssertEqual(outcome, PreprocessOutcome(written: 1, problems: []))
        let image = try Image.read(contentsOf: out + "/images/a.png")
        let mask = try Image.read(contentsOf: out + "/masks/a.png")
        XCTAssertEqual([image.width, image.height, image.channels, mask.width, mask.height], [4, 5, 3, 4, 5])
        XCTAssertTrue(Set(mask.uint8Samples!).isSubset(of: [0, 1, 3]))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/classes.json"))
        XCTAssertEqual(try DatasetFolder.scan(root: out).report(classCount: 4).problems, [])
    }

    // MARK: tile

    func testTileGridOriginsEndAtTheEdge() {
        XCTAssertEqual(TileGrid.origins(length: 10, tile: 4, overlap: 1), [0, 3, 6])
        XCTAssertEqual(TileGrid.origins(length: 11, tile: 4, overlap: 1), [0, 3, 6, 7])
        XCTAssertEqual(TileGrid.origins(length: 8, tile: 4, overlap: 0), [0, 4])
        XCTAssertEqual(TileGrid.origins(length: 4, tile: 4, overlap: 2), [0])
        XCTAssertEqual(TileGrid.origins(length: 3, tile: 4, overlap: 2), [0])
        XCTAssertEqual(DatasetFolder.tileName("x", row: 3, rows: 12, column: 0, columns: 2), "x_r03_c0.png")
    }

    func testTilesAreExactCopiesAndCoverEveryPixel() throws {
        let d = try TempDataset(self)
        let (w, h) = (11, 7)
        let imagePath = try d.image("big.png", width: w, height: h)
        try d.mask("big.png", width: w, height: h, values: (0..<(w * h)).map { UInt8($0 % 5) })
        let out = scratchPath("preprocess-tiles")
        let outcome = try DatasetFolder.scan(root: d.root).tiled(size: 4, overlap: 1, out: out)
        let columns = [0, 3, 6, 7], rows = [0, 3]
        XCTAssertEqual(outcome, PreprocessOutcome(written: columns.count * rows.count, problems: []))
        let source = try Image.read(contentsOf: imagePath)
        let sourceMask = try Image.read(contentsOf: d.masks + "/big.png")
        var covered = [Int](repeating: 0, count: w * h)
        for (r, top) in rows.enumerated() {
            for (c, left) in columns.enumerated() {
                let name = "big_r\(r)_c\(c).png"
                let tile = try Image.read(contentsOf: out + "/images/" + name)
                let maskTile = try Image.read(contentsOf: out + "/masks/" + name)
                XCTAssertEqual([tile.width, tile.height, maskTile.width, maskTile.height], [4, 4, 4, 4])
                for y in 0..<4 {
                    for x in 0..<4 {
                        for ch in 0..<3 {
                            XCTAssertEqual(tile.sample(x: x, y: y, channel: ch), source.sample(x: left + x, y: top + y, channel: ch))
                        }
                        XCTAssertEqual(maskTile.sample(x: x, y: y), sourceMask.sample(x: left + x, y: top + y))
                        covered[(top + y) * w + left + x] += 1
                    }
                }
            }
        }
        XCTAssertFalse(covered.contains(0), "a pixel is in no tile")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out + "/images").count, 8)
    }

    func testTileOfASmallImageIsMirrorPadded() throws {
        let d = try TempDataset(self)
        let imagePath = try d.image("s.png", width: 3, height: 2, channels: 1)
        try d.mask("s.png", width: 3, height: 2, values: [0, 1, 2, 3, 4, 5])
        let out = scratchPath("preprocess-tiles")
        XCTAssertEqual(try DatasetFolder.scan(root: d.root).tiled(size: 4, overlap: 0, out: out).written, 1)
        let source = try Image.read(contentsOf: imagePath)
        let tile = try Image.read(contentsOf: out + "/images/s_r0_c0.png")
        XCTAssertEqual(try Image.read(contentsOf: out + "/masks/s_r0_c0.png").uint8Samples,
                       [0, 1, 2, 1, 3, 4, 5, 4, 0, 1, 2, 1, 3, 4, 5, 4])
        XCTAssertEqual(tile.sample(x: 3, y: 0), source.sample(x: 1, y: 0))
        XCTAssertEqual(tile.sample(x: 2, y: 3), source.sample(x: 2, y: 1))
    }

    func testTilesOfAFloatTIFFStayFloatTIFFs() throws {
        let d = try TempDataset(self)
        let values = (0..<15).map { Float($0) * 0.25 - 1 }  // outside [0, 1]: kept exactly
        try Image(width: 5, height: 3, channels: 1, floatSamples: values).write(to: d.root + "/images/f.tif")
        try d.mask("f.png", width: 5, height: 3, values: [UInt8](repeating: 1, count: 15))
        let out = scratchPath("preprocess-tiles")
        XCTAssertEqual(try DatasetFolder.scan(root: d.root).tiled(size: 3, overlap: 1, out: out).written, 2)
        let tile = try Image.read(contentsOf: out + "/images/f_r0_c1.tif")
        XCTAssertEqual(tile.float32Samples, [2, 3, 4, 7, 8, 9, 12, 13, 14].map { values[$0] }, "columns 2...4 (origins 0, 2)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/masks/f_r0_c1.png"))
    }

    // MARK: split

    func testSplitIsDeterministicAndTailTakesTheLastNames() throws {
        let d = try TempDataset(self)
        for name in ["e", "a", "i", "c", "g", "b", "j", "d", "h", "f"] {
            try d.image(name + ".png", width: 2, height: 2, channels: 1)
            try d.mask(name + ".png", width: 2, height: 2, values: [0, 1, 0, 1])
        }
        let folder = try DatasetFolder.scan(root: d.root)
        let first = try DatasetSplit.make(for: folder, fraction: 0.3, seed: 7, mode: .random)
        XCTAssertEqual(first, try DatasetSplit.make(for: folder, fraction: 0.3, seed: 7, mode: .random))
        XCTAssertEqual(first.validation.count, 3)
        XCTAssertEqual(Set(first.train + first.validation).count, 10)
        try first.write(root: d.root)
        XCTAssertEqual(try DatasetSplit.read(root: d.root), first)

        let tail = try DatasetSplit.make(for: folder, fraction: 0.3, seed: 7, mode: .tail)
        XCTAssertEqual(tail, DatasetSplit(train: ["a", "b", "c", "d", "e", "f", "g"], validation: ["h", "i", "j"]))
        XCTAssertEqual(DatasetSplit.tail(names: ["b", "a"], fraction: 0.01), DatasetSplit(train: ["a"], validation: ["b"]))
        XCTAssertEqual(DatasetSplit.tail(names: ["b", "a", "c"], fraction: 0.99), DatasetSplit(train: ["a"], validation: ["b", "c"]))
    }

    // MARK: weight maps

    func testWeightMapPNGRoundTripWithinTheScale() throws {
        let d = try TempDataset(self)
        var generator = SystemRandomNumberGenerator()
        let weights = (0..<64).map { _ in Float.random(in: 0...65, using: &generator) } + [0, 1, 10.0005, 65.535]
        let (image, clipped) = WeightMapEncoding.encode(weights, width: 17, height: 4)
        XCTAssertEqual(clipped, 0)
        try image.write(to: d.root + "/w.png")
        let decoded = WeightMapEncoding.decode(try Image.read(contentsOf: d.root + "/w.png"))
        for (w, v) in zip(weights, decoded) { XCTAssertEqual(v, w, accuracy: 0.5 / WeightMapEncoding.scale + 1e-5) }
        XCTAssertEqual(WeightMapEncoding.encode([2.5, 0.25], width: 2, height: 1).image.uint16Samples, [2500, 250])
        let over = WeightMapEncoding.encode([70, 2], width: 2, height: 1)
        XCTAssertEqual(over.clipped, 1)
        XCTAssertEqual(WeightMapEncoding.decode(over.image), [65.535, 2])
        XCTAssertEqual(WeightMapEncoding.preview([1, 2, 3], width: 3, height: 1).uint8Samples, [0, 128, 255])
    }

    func testWeightMapsOfADatasetMatchBorderWeightMap() throws {
        let d = try TempDataset(self)
        // Two objects (class 1) separated by a one-pixel background column.
        let (w, h) = (7, 5)
        let values: [UInt8] = (0..<(w * h)).map { i in
            let (x, y) = (i % w, i / w)
            return y >= 1 && y <= 3 && (x == 1 || x == 2 || x == 4 || x == 5) ? 1 : 0
        }
        try d.image("a.png", width: w, height: h, channels: 1)
        try d.mask("a.png", width: w, height: h, values: values)
        let out = d.root + "/weights"
        let map = BorderWeightMap(borderWeight: 10, sigma: 5)
        let (outcome, stats) = try DatasetFolder.scan(root: d.root).writeWeightMaps(map, out: out)
        XCTAssertEqual(outcome, PreprocessOutcome(written: 1, problems: []))
        let expected = map.weights(classMask: values.map { Int32($0) }, height: h, width: w, classCount: 2, foregroundClass: 1)
        let stored = try Image.read(contentsOf: out + "/a.png")
        XCTAssertEqual(stored.sampleType, .uint16)
        for (e, v) in zip(expected, WeightMapEncoding.decode(stored)) { XCTAssertEqual(v, e, accuracy: 0.0005 + 1e-5) }
        XCTAssertEqual(stats.min, expected.min())
        XCTAssertEqual(stats.max, expected.max())
        XCTAssertEqual(stats.mean, expected.map(Double.init).reduce(0, +) / Double(w * h), accuracy: 1e-9)
        // The separating column: w_c = 35 / (2 · 23) for background, d1 = d2 = 1 → 10·exp(-4/50).
        XCTAssertEqual(stats.max, 35.0 / 46.0 + 10 * expf(-4.0 / 50.0), accuracy: 1e-5)
        let preview = try Image.read(contentsOf: out + "/previews/a.png")
        XCTAssertEqual(preview.sampleType, .uint8)
        XCTAssertEqual(preview.uint8Samples?.max(), 255)
    }

    // MARK: the executable

    /// The built `unet` next to the test bundle (`<scratch>/debug/unet`), or under the package's `.build*` folders.
    private func locateTool() -> String? {
        var candidates: [URL] = []
        for bundle in [Bundle.main] + Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("unet"))
            candidates.append(bundle.bundleURL.appendingPathComponent("unet"))
        }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let builds = (try? FileManager.default.contentsOfDirectory(atPath: package.path))?.filter { $0.hasPrefix(".build") } ?? []
        for build in builds.sorted() { candidates.append(package.appendingPathComponent("\(build)/debug/unet")) }
        return candidates.map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// An output folder under a file is named with the part that failed (it used to read
    /// "cannot create folder (NSCocoaErrorDomain error 512.)").
    func testAnOutputFolderUnderAFileIsNamed() throws {
        let d = try TempDataset(self)
        try d.image("a.png", width: 4, height: 3)
        try d.mask("a.png", width: 4, height: 3, values: [UInt8](repeating: 0, count: 12))
        let file = d.root + "/notes.txt"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        for command in [["preprocess", "weight-maps"], ["preprocess", "resize", "--scale", "0.5"]] {
            let r = try ToolRunner.run(command + ["--data", d.root, "--out", file + "/out"])
            XCTAssertNotEqual(r.status, 0, "\(command)")
            XCTAssertTrue(r.error.contains("cannot create the output folder: \(file) is a file, not a folder"), "\(command): \(r.error)")
        }
    }

    func testCheckCommandFailsAndNamesTheBadFiles() throws {
        guard let tool = locateTool() else { throw XCTSkip("the unet executable is not built next to the tests") }
        let d = try TempDataset(self)
        try d.image("good.png", width: 4, height: 3)
        try d.mask("good.png", width: 4, height: 3, values: [UInt8](repeating: 0, count: 12))
        try d.image("lonely.png", width: 4, height: 3)
        try d.image("wrongsize.png", width: 4, height: 3)
        try d.mask("wrongsize.png", width: 2, height: 2, values: [0, 1, 1, 0])
        d.garbage(d.images, "broken.png")
        try d.mask("broken.png", width: 4, height: 3, values: [UInt8](repeating: 0, count: 12))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["preprocess", "check", "--data", d.root, "--classes", "2"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0, output)
        for file in ["images/lonely.png", "masks/wrongsize.png", "images/broken.png"] {
            XCTAssertTrue(output.contains(file), "output does not name \(file):\n\(output)")
        }
        XCTAssertTrue(output.contains("3 problem(s)"), output)
    }
}
