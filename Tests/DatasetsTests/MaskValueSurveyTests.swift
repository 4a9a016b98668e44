import XCTest
import TestSupport
import ImageCodecs
@testable import Datasets

/// The dataset-level decision on mask values: binary 0/255 only when every gray mask holds
/// nothing else, class indices otherwise, and value sets that are no plausible class-index
/// encoding refused naming the masks that hold the odd values.
final class MaskValueSurveyTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// A 4×3 mask: `high` in the first `count` pixels, 0 elsewhere.
    @discardableResult
    func mask(_ d: DatasetBuilder, _ name: String, _ high: UInt8, count: Int = 6) throws -> String {
        try d.image(name)
        return try d.grayMask(name, values: (0..<12).map { $0 < count ? high : 0 })
    }

    func testBinaryWhenEveryGrayMaskHoldsOnly0And255() throws {
        let d = try DatasetBuilder(self)
        let a = try mask(d, "a.png", 255)
        try mask(d, "b.png", 0)  // all background
        let check = DatasetCheck([try DatasetFolder.scan(root: d.root)])
        XCTAssertEqual(check.problems, [])
        XCTAssertEqual(check.encoding, .binary255)
        XCTAssertEqual(check.classCount, 2)
        XCTAssertEqual(Array(check.survey.classHistogram().prefix(3)), [18, 6, 0])
        XCTAssertEqual(try Mask.read(contentsOf: a, encoding: check.encoding).classes, (0..<12).map { $0 < 6 ? 1 : 0 })
    }

    func testOneStray128AmongBinaryMasksIsRefusedNamingItsFile() throws {
        let d = try DatasetBuilder(self)
        let a = try mask(d, "a.png", 255)
        try d.image("b.png")
        let b = try d.grayMask("b.png", values: [255, 255, 0, 0, 0, 128, 0, 0, 0, 0, 0, 0])
        let c = try mask(d, "c.png", 255)
        let folder = try DatasetFolder.scan(root: d.root)
        let check = DatasetCheck([folder])
        XCTAssertEqual(check.encoding, .indices)
        XCTAssertEqual(check.problems, [
            .implausibleMaskValues(masks: d.masks, values: [0, 128, 255],
                                   reason: "are neither binary 0/255 nor class indices 0, 1, 2, … without gaps (no mask holds 1–127, 129–254); "
                                       + "fix the masks listed, or give --classes N if they are class indices of which some never occur",
                                   uses: [.init(value: 128, pixels: 1, masks: 1, examples: [b]),
                                          .init(value: 255, pixels: 14, masks: 3, examples: [a, b, c]),
                                          .init(value: 0, pixels: 21, masks: 3, examples: [a, b, c])]),
        ])
        XCTAssertEqual(folder.problems(), check.problems)  // before: none, and b's 255s were class 255
        XCTAssertEqual("\(check.problems[0])", """
            \(d.masks): mask values 0, 128, 255 are neither binary 0/255 nor class indices 0, 1, 2, … without gaps \
            (no mask holds 1–127, 129–254); fix the masks listed, or give --classes N if they are class indices of which some never occur:
                128: 1 pixel in 1 mask (\(b))
                255: 14 pixels in 3 masks (\(a), \(b), \(c))
                0: 21 pixels in 3 masks (\(a), \(b), \(c))
            """)
    }

    func testDisplayScaledMasksAreRefused() throws {
        let d = try DatasetBuilder(self)
        try mask(d, "a.png", 127)
        try mask(d, "b.png", 255)
        let problems = try DatasetFolder.scan(root: d.root).problems()
        XCTAssertEqual(problems.count, 1)
        guard case .implausibleMaskValues(_, let values, _, _) = problems.first else { return XCTFail("\(problems)") }
        XCTAssertEqual(values, [0, 127, 255])
    }

    func testIndexMasksWithSomeMasksAllBackground() throws {
        let d = try DatasetBuilder(self)
        try mask(d, "a.png", 1)
        try mask(d, "b.png", 2)
        try mask(d, "c.png", 0)
        let check = DatasetCheck([try DatasetFolder.scan(root: d.root)])
        XCTAssertEqual(check.problems, [])
        XCTAssertEqual(check.encoding, .indices)
        XCTAssertEqual(check.classCount, 3)
    }

    func testGapsAreAcceptedWhenTheClassCountIsGiven() throws {
        let d = try DatasetBuilder(self)
        try mask(d, "a.png", 1)
        let b = try mask(d, "b.png", 3)
        let folder = try DatasetFolder.scan(root: d.root)
        guard case .implausibleMaskValues(_, [0, 1, 3], _, _)? = folder.problems().first else { return XCTFail("\(folder.problems())") }
        XCTAssertEqual(folder.problems(classCount: 4), [])
        XCTAssertEqual(DatasetCheck([folder], classCount: 4).classCount, 4)
        XCTAssertEqual(folder.problems(classCount: 3).first, .classOutOfRange(mask: b, value: 3, x: 0, y: 0, classCount: 3))
    }

    func testTooManyInferredClassesAreRefused() throws {
        let d = try DatasetBuilder(self)
        for k in 0..<7 {
            try d.image("\(k).png")
            try d.grayMask("\(k).png", values: (0..<12).map { UInt8(k * 12 + $0) })  // 0...83, no gaps
        }
        let folder = try DatasetFolder.scan(root: d.root)
        let problems = folder.problems()
        guard case .implausibleMaskValues(_, let values, let reason, let uses)? = problems.first else { return XCTFail("\(problems)") }
        XCTAssertEqual(values, Array(0...83))
        XCTAssertEqual(reason, "would make 84 classes, more than the 64 inferred without --classes (gray levels of an image or "
                       + "anti-aliased edges rather than class indices?); give --classes N if there really are that many")
        XCTAssertEqual(uses.count, MaskValueSurvey.listedValues)
        XCTAssertTrue("\(problems[0])".hasSuffix("\n    (and 76 more values)"), "\(problems[0])")
        XCTAssertEqual(folder.problems(classCount: 84), [])
    }

    func testPaletteMasksAreIndicesAndChecked() throws {
        let d = try DatasetBuilder(self)
        let palette = (0..<6).map { RGBA8(UInt8($0 * 40), 0, 0) }
        try d.image("p.png")
        let p = try d.mask("p.png", Image(width: 4, height: 3, channels: 1, samples: (0..<12).map { UInt8($0 % 3) }, palette: palette))
        try mask(d, "g.png", 255)
        // Gray 0/255 is binary (255 → 1) beside palette classes 0, 1, 2.
        let check = DatasetCheck([try DatasetFolder.scan(root: d.root)])
        XCTAssertEqual(check.problems, [])
        XCTAssertEqual(check.encoding, .binary255)
        XCTAssertEqual(Array(check.survey.classHistogram().prefix(3)), [10, 10, 4])
        // A palette index beyond a gap is refused like a gray one.
        try d.mask("p.png", Image(width: 4, height: 3, channels: 1, samples: (0..<12).map { $0 < 2 ? 5 : 0 }, palette: palette))
        let problems = try DatasetFolder.scan(root: d.root).problems()
        guard case .implausibleMaskValues(_, [0, 1, 5], _, let uses)? = problems.first else { return XCTFail("\(problems)") }
        XCTAssertEqual(uses.first, .init(value: 5, pixels: 2, masks: 1, examples: [p]))
    }

    /// Training and validation folders are one dataset: one encoding for both.
    func testValidationFolderSharesTheTrainingEncoding() throws {
        let train = try DatasetBuilder(self)
        try mask(train, "a.png", 255)
        let validation = try DatasetBuilder(self)
        let v = try mask(validation, "v.png", 0)
        let folders = [try DatasetFolder.scan(root: train.root), try DatasetFolder.scan(root: validation.root)]
        XCTAssertEqual(DatasetCheck([folders[1]]).encoding, .indices)  // alone it would be read as indices
        XCTAssertEqual(DatasetCheck(folders).encoding, .binary255)
        XCTAssertEqual(DatasetCheck(folders).problems, [])
        // Validation masks saved as 0/1 beside 0/255 training masks are refused, naming them.
        try validation.grayMask("v.png", values: (0..<12).map { $0 < 6 ? 1 : 0 })
        let problems = DatasetCheck(folders).problems
        guard case .implausibleMaskValues(let masks, [0, 1, 255], _, let uses)? = problems.first else { return XCTFail("\(problems)") }
        XCTAssertEqual(masks, train.masks + ", " + validation.masks)
        XCTAssertEqual(uses.first, .init(value: 1, pixels: 6, masks: 1, examples: [v]))
    }

    func testEmptyFoldersSayNoPairsWereFound() throws {
        let d = try DatasetBuilder(self)
        let folder = try DatasetFolder.scan(root: d.root)
        XCTAssertEqual(folder.problems(), [.noPairs(images: d.images, masks: d.masks)])
        XCTAssertEqual("\(DatasetError.invalid(folder.problems()))", """
            dataset has 1 problem:
              \(d.images), \(d.masks): no image/mask pairs found (neither folder holds a .png, .jpg, .jpeg, .tif or .tiff file)
            """)
    }

    func testRanges() {
        XCTAssertEqual(MaskValueSurvey.ranges([0, 1, 2, 5, 128, 255]), "0–2, 5, 128, 255")
        XCTAssertEqual(MaskValueSurvey.ranges([0, 1, 7, 8]), "0, 1, 7, 8")
    }
}
