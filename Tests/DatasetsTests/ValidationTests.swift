import FileSafety
import XCTest
import TestSupport
import ImageCodecs
@testable import Datasets

final class ValidationTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testSizeMismatch() throws {
        let d = try DatasetBuilder(self)
        let image = try d.image("a.png", width: 4, height: 3)
        let mask = try d.grayMask("a.png", width: 5, height: 3)
        let expected = DatasetProblem.sizeMismatch(image: image, imageWidth: 4, imageHeight: 3,
                                                   mask: mask, maskWidth: 5, maskHeight: 3)
        let folder = try DatasetFolder.scan(root: d.root)
        XCTAssertEqual(folder.problems(depth: .headers), [expected])
        XCTAssertEqual(folder.problems(depth: .full), [expected])
        XCTAssertEqual(expected.description, "\(mask): mask is 5x3 but its image \(image) is 4x3")
    }

    func testJPEGMaskProblem() throws {
        let d = try DatasetBuilder(self)
        try d.image("a.png")
        let mask = try d.grayMask("a.jpg")
        let problems = try DatasetFolder.scan(root: d.root).problems()
        XCTAssertEqual(problems, [.jpegMask(mask: mask)])
        XCTAssertEqual(problems[0].description, "\(mask): lossy JPEG masks corrupt class labels; convert to PNG")
    }

    func testValueBeyondClassCount() throws {
        let d = try DatasetBuilder(self)
        try d.image("a.png", width: 2, height: 2)
        let mask = try d.grayMask("a.png", width: 2, height: 2, values: [0, 1, 2, 7])
        let folder = try DatasetFolder.scan(root: d.root)
        XCTAssertEqual(folder.problems(classCount: 8), [])
        // Each mask with its first pixel out of range, then the dataset's values with the masks holding them.
        let expected: [DatasetProblem] = [
            .classOutOfRange(mask: mask, value: 7, x: 1, y: 1, classCount: 3),
            .implausibleMaskValues(masks: d.masks, values: [0, 1, 2, 7], reason: "are not all below the class count 3 (7 is not)",
                                   uses: [0, 1, 2, 7].map { .init(value: $0, pixels: 1, masks: 1, examples: [mask]) }),
        ]
        XCTAssertEqual(folder.problems(classCount: 3), expected)
        XCTAssertEqual(try folder.classHistogram(classCount: 8), [1, 1, 1, 0, 0, 0, 0, 1])
        XCTAssertThrowsError(try folder.classHistogram(classCount: 3)) { error in
            XCTAssertEqual(error as? DatasetError, .invalid(expected))
        }
    }

    func testHistogramOverDataset() throws {
        let d = try DatasetBuilder(self)
        try d.image("a.png", width: 2, height: 1)
        try d.grayMask("a.png", width: 2, height: 1, values: [0, 255])  // binary: 0, 1
        try d.image("b.png", width: 3, height: 1)
        try d.mask("b.png", Image(width: 3, height: 1, channels: 1, samples: [2, 2, 1], palette: [RGBA8(0, 0, 0), RGBA8(1, 1, 1), RGBA8(2, 2, 2)]))
        XCTAssertEqual(try DatasetFolder.scan(root: d.root).classHistogram(classCount: 3), [1, 2, 2])
    }

    func testUndecodableFiles() throws {
        let d = try DatasetBuilder(self)
        try "not an image".write(toFile: d.images + "/a.png", atomically: false, encoding: .utf8)
        try d.grayMask("a.png")
        let problems = try DatasetFolder.scan(root: d.root).problems()
        XCTAssertEqual(problems, [.undecodable(path: d.images + "/a.png",
                                               reason: "not a PNG, JPEG or TIFF: first bytes 6e 6f 74 20 61 6e 20 69")])
    }

    /// Every kind of problem at once, all listed in one error.
    func testAllProblemsReportedTogether() throws {
        let d = try DatasetBuilder(self)
        let map = try ClassMap(entries: [.init(name: "bg", color: [0, 0, 0], index: 0), .init(name: "fg", color: [255, 0, 0], index: 1)])
        try d.image("good.png")
        try d.mask("good.png", Image(width: 4, height: 3, channels: 3, samples: [UInt8](repeating: 0, count: 36)))
        let noMask = try d.image("no mask.jpg")
        let noImage = try d.grayMask("no image.png")
        let sizeImage = try d.image("size.png", width: 4, height: 3)
        let sizeMask = try d.grayMask("size.png", width: 3, height: 4)
        try d.image("jpeg.png")
        let jpegMask = try d.grayMask("jpeg.jpg")
        try d.image("colour.png", width: 1, height: 1)
        let colourMask = try d.mask("colour.png", Image(width: 1, height: 1, channels: 3, samples: [9, 9, 8]))
        try d.image("range.png", width: 1, height: 1)
        let rangeMask = try d.grayMask("range.png", width: 1, height: 1, values: [5])
        try d.image("broken.png")
        let broken = d.masks + "/broken.png"
        let valid = try Image(width: 4, height: 3, channels: 1, samples: [UInt8](repeating: 0, count: 12)).pngData()
        try AtomicFile.write(Array(valid.prefix(30)), to: broken)

        let folder = try DatasetFolder.scan(root: d.root)
        XCTAssertThrowsError(try folder.validate(classMap: map)) { error in
            guard case .invalid(let problems) = error as? DatasetError else { return XCTFail("\(error)") }
            XCTAssertEqual(Set(problems), [
                .imageWithoutMask(image: noMask),
                .maskWithoutImage(mask: noImage),
                .sizeMismatch(image: sizeImage, imageWidth: 4, imageHeight: 3, mask: sizeMask, maskWidth: 3, maskHeight: 4),
                .jpegMask(mask: jpegMask),
                .badMask(mask: colourMask, reason: "colour (9, 9, 8) at pixel (0, 0) is not in the class map"),
                .classOutOfRange(mask: rangeMask, value: 5, x: 0, y: 0, classCount: 2),
                .implausibleMaskValues(masks: d.masks, values: [0, 5], reason: "are not all below the class count 2 (5 is not)",
                                       uses: [.init(value: 5, pixels: 1, masks: 1, examples: [rangeMask]),
                                              .init(value: 0, pixels: 24, masks: 2, examples: [d.masks + "/good.png", sizeMask])]),
                .undecodable(path: broken, reason: "truncated or corrupt PNG (libpng: Read Error)"),
            ])
            XCTAssertEqual(problems.count, 8)
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("dataset has 8 problems:\n"), text)
            for problem in problems { XCTAssertTrue(text.contains("  \(problem)"), "missing: \(problem)") }
        }
    }
}
