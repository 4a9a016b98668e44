import XCTest
import TestSupport
import ImageCodecs
@testable import Datasets

final class DatasetFolderTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testMatchedPairsAcrossExtensionsSortedByName() throws {
        let d = try DatasetBuilder(self)
        try d.image("b.JPG")
        try d.image("a.png")
        try d.image("c.jpeg")
        try d.grayMask("c.png")
        try d.grayMask("a.png")
        try d.grayMask("b.PNG")
        try "notes".write(toFile: d.images + "/README.txt", atomically: false, encoding: .utf8)
        try d.image(".hidden.png")
        let folder = try DatasetFolder.scan(root: d.root)
        XCTAssertEqual(folder.pairs.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(folder.pairs[1], SamplePair(name: "b", imagePath: d.images + "/b.JPG", maskPath: d.masks + "/b.PNG"))
        XCTAssertEqual(folder.pairingProblems, [])
        XCTAssertEqual(folder.problems(classCount: 2), [])
        XCTAssertNoThrow(try folder.validate(classCount: 2))
        XCTAssertEqual(try DatasetFolder.scan(images: d.images, masks: d.masks), folder)
    }

    func testUnmatchedImagesAndMasks() throws {
        let d = try DatasetBuilder(self)
        try d.image("a.png")
        try d.grayMask("a.png")
        let lonelyImage = try d.image("only image.jpg")
        let lonelyMask = try d.grayMask("only mask.png")
        let folder = try DatasetFolder.scan(root: d.root)
        XCTAssertEqual(folder.pairs.map(\.name), ["a"])
        XCTAssertEqual(folder.pairingProblems, [.imageWithoutMask(image: lonelyImage), .maskWithoutImage(mask: lonelyMask)])
        XCTAssertEqual(folder.pairingProblems.map(\.description),
                       ["\(lonelyImage): image has no mask", "\(lonelyMask): mask has no image"])
    }

    func testAmbiguousNamesAreReported() throws {
        let d = try DatasetBuilder(self)
        let png = try d.image("a.png")
        let jpg = try d.image("a.jpg")
        try d.grayMask("a.png")
        let folder = try DatasetFolder.scan(root: d.root)
        XCTAssertEqual(folder.pairs, [])
        XCTAssertTrue(folder.pairingProblems.contains(.duplicateName(name: "a", paths: [jpg, png])), "\(folder.pairingProblems)")
    }

    func testNamesWithSpacesAndNonASCII() throws {
        let d = try DatasetBuilder(self)
        for name in ["tête de chat", "日本 画像", "z"] {
            try d.image(name + ".jpg")
            try d.grayMask(name + ".png")
        }
        let folder = try DatasetFolder.scan(root: d.root)
        XCTAssertEqual(folder.pairs.map(\.name), ["tête de chat", "z", "日本 画像"])
        XCTAssertEqual(folder.problems(), [])
        XCTAssertEqual(try Mask.read(contentsOf: folder.pairs[2].maskPath).width, 4)
    }

    func testMissingFolderIsAnError() {
        XCTAssertThrowsError(try DatasetFolder.scan(root: "/nonexistent/data")) { error in
            guard case .unreadableDirectory(let path, _) = error as? DatasetError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/data")  // the dataset folder itself, not a sub-folder of it
        }
    }
}
