@testable import Reports
import XCTest
import TestSupport
@testable import Training

final class PlotTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func colors(_ raster: RGBRaster) -> Set<RGBColor> {
        Set(stride(from: 0, to: raster.pixels.count, by: 3).map { RGBColor(raster.pixels[$0], raster.pixels[$0 + 1], raster.pixels[$0 + 2]) })
    }

    func testCurvePlotHasSizeAndCurveColours() {
        let plot = CurvePlot(trainingLoss: [0.9, 0.6, 0.45, 0.4, 0.38], validationLoss: [1.0, 0.7, .nan, 0.5, 0.48],
                             validationMeanIoU: [0.3, 0.5, 0.6, 0.65, 0.7], title: "unet isbi")
        let raster = plot.render()
        XCTAssertEqual(raster.width, 800)
        XCTAssertEqual(raster.height, 500)
        XCTAssertEqual(raster.pixels.count, 800 * 500 * 3)
        let present = colors(raster)
        XCTAssertTrue(present.contains(CurvePlot.trainingLossColor))
        XCTAssertTrue(present.contains(CurvePlot.validationLossColor))
        XCTAssertTrue(present.contains(CurvePlot.meanIoUColor))
        XCTAssertTrue(present.contains(.black))
        XCTAssertGreaterThan(present.count, 3)
    }

    func testSingleEpochConstantAndNaNSeries() {
        let one = CurvePlot(trainingLoss: [0.5]).render(width: 400, height: 300)
        XCTAssertEqual(one.pixels.count, 400 * 300 * 3)
        XCTAssertTrue(colors(one).contains(CurvePlot.trainingLossColor))
        let constant = CurvePlot(trainingLoss: [0.2, 0.2, 0.2], validationLoss: [0.2, 0.2, 0.2]).render()
        XCTAssertTrue(colors(constant).contains(CurvePlot.validationLossColor))
        let empty = CurvePlot(trainingLoss: [.nan, .nan]).render()
        XCTAssertGreaterThan(colors(empty).count, 1)  // axes and text still drawn
    }

    func testAxisScaleTicks() {
        let axis = AxisScale(covering: 0.38...1.0)
        XCTAssertEqual(axis.step, 0.2, accuracy: 1e-12)
        XCTAssertEqual(axis.lower, 0.2, accuracy: 1e-12)
        XCTAssertEqual(axis.upper, 1.0, accuracy: 1e-12)
        XCTAssertEqual(axis.ticks.count, 5)
        XCTAssertEqual(axis.decimals, 1)
    }

    func testFontDrawsDigits() {
        var raster = RGBRaster(width: 6, height: 7)
        raster.drawText("1", x: 0, y: 0, color: .black)
        // "1" row 0 is 00100: only column 2 is inked.
        XCTAssertEqual((0..<5).map { raster[$0, 0] == .black }, [false, false, true, false, false])
        XCTAssertEqual(BitmapFont.glyph(for: "a"), BitmapFont.glyph(for: "A"))
    }

    func testOverlayExactPixels() {
        // 1×3 gray image, classes 0, 1, 2 with a 3-class palette (black, red, green).
        let palette = ClassPalette(colors: [RGBColor(0, 0, 0), RGBColor(255, 0, 0), RGBColor(0, 255, 0)])
        let out = Overlay.blend(mask: [0, 1, 2], over: [100, 100, 101], channels: 1, height: 1, width: 3, palette: palette)
        XCTAssertEqual(out, [50, 50, 50, 178, 50, 50, 51, 178, 51])  // 0.5·100 + 0.5·255 = 177.5 → 178; 0.5·101 = 50.5 → 51
        let transparent = Overlay.blend(mask: [0, 1, 2], over: [10, 20, 30, 40, 50, 60, 70, 80, 90], channels: 3, height: 1, width: 3,
                                        palette: palette, backgroundTransparent: true)
        XCTAssertEqual(transparent, [10, 20, 30, 148, 25, 30, 35, 168, 45])
        let planar = Overlay.blend(mask: [1], overPlanar: [1.0, 0.0, 0.0], channels: 3, height: 1, width: 1, palette: palette, alpha: 0.25)
        XCTAssertEqual(planar, [255, 0, 0])
    }

    func testDefaultPalette() {
        XCTAssertEqual(ClassPalette.default(classes: 2).colors, [.black, .white])
        let five = ClassPalette.default(classes: 5)
        XCTAssertEqual(five.colors.count, 5)
        XCTAssertEqual(Set(five.colors).count, 5)
        // Past the hand-picked colours the palette is generated: still distinct, and a class
        // keeps its colour whatever the class count (masks of one model match another's).
        let many = ClassPalette.default(classes: 40)
        let forty = (0..<40).map(many.color(forClass:))
        XCTAssertEqual(Set(forty).count, 40)
        XCTAssertEqual((0..<40).map(ClassPalette.default(classes: 64).color(forClass:)), forty)
        XCTAssertEqual(many.color(forClass: 25), ClassPalette.default(classes: 30).color(forClass: 25))
        XCTAssertNotEqual(many.color(forClass: 25), many.color(forClass: 26))
        XCTAssertEqual(Set((0..<20).map { ClassPalette.default(classes: 20).color(forClass: $0) }).count, 20)
    }

    func testOverlayPaletteReplacesGraysWithHues() {
        // Binary masks are black/white; overlaid, white would only wash the image out.
        let binary = ClassPalette.default(classes: 2).forOverlay.colors
        XCTAssertEqual(binary[1], RGBColor(230, 25, 75))
        XCTAssertNotEqual(binary[0].red == binary[0].green && binary[0].green == binary[0].blue, true)
        // Chromatic colours are kept as they are; a gray in the middle gets its class's hue.
        let custom = ClassPalette(colors: [RGBColor(0, 0, 0), RGBColor(10, 200, 30), RGBColor(128, 128, 128)]).forOverlay.colors
        XCTAssertEqual(custom[1], RGBColor(10, 200, 30))
        XCTAssertEqual(custom[2], ClassPalette.default(classes: 5).colors[2])
    }

    /// One prediction's images, as predict writes them and the export's cover draws them.
    func testSegmentationImagesEncodeTheMaskAndProbabilities() {
        // 2 classes, a 1×3 image; the middle pixel is class 1, the last a tie (the first class wins).
        let images = SegmentationImages(probabilities: [0.9, 0.2, 0.5, 0.1, 0.8, 0.5], classes: 2, height: 1, width: 3)
        XCTAssertEqual(images.mask, [0, 1, 0])
        XCTAssertEqual(images.maskImage(.gray255, palette: []).uint8Samples, [0, 255, 0])
        XCTAssertEqual(images.maskImage(.tiff, palette: []).uint8Samples, [0, 1, 0])
        XCTAssertEqual(images.probabilityMap(class: 1, format: .indexed).uint16Samples, [6554, 52428, 32768], "p·65535 rounded")
        XCTAssertEqual(images.probabilityMap(class: 1, format: .tiff).float32Samples, [0.1, 0.8, 0.5], "exact floats in TIFF")
        let overlay = images.overlay(on: [0, 0, 0], channels: 1, palette: [[0, 0, 0], [255, 255, 255]])
        XCTAssertEqual(overlay.channels, 3)
        XCTAssertEqual(Array(overlay.uint8Samples![0..<3]), [0, 0, 0], "class 0 of a binary model stays transparent")
        XCTAssertNotEqual(Array(overlay.uint8Samples![3..<6]), [0, 0, 0], "class 1 is blended in its overlay colour")
    }
}
