#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ImageCodecs
import Tensors
import XCTest
import TestSupport

/// Only regular files are read. A FIFO named like an image or a checkpoint used to block
/// `open` forever (predict, preprocess check, train, info); `/dev/zero` was read until memory ran
/// out. Each run here has a deadline and is killed past it, so the old behaviour fails the test.
final class SpecialFileTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func makeFIFO(_ path: String) throws {
        guard mkfifo(path, 0o644) == 0 else { throw XCTSkip("mkfifo failed: \(String(cString: strerror(errno)))") }
    }

    /// A tiny dataset of two pairs, with a FIFO `images/x.png` and its (regular) mask when `fifo`:
    /// paired, so that the old code went on to read the FIFO.
    func makeDataset(fifo: Bool) throws -> String {
        let root = try scratchDirectory("special-files", subfolders: ["images", "masks"])
        for k in 0..<2 {
            let img = (0..<1600).map { UInt8(($0 * 7 + k) % 251) }
            try Image(width: 40, height: 40, channels: 1, samples: img).write(to: "\(root)/images/i\(k).png")
            try Image(width: 40, height: 40, channels: 1, samples: img.map { $0 > 128 ? 255 : 0 }).write(to: "\(root)/masks/i\(k).png")
        }
        if fifo {
            try makeFIFO(root + "/images/x.png")
            try Image(width: 40, height: 40, channels: 1, samples: [UInt8](repeating: 0, count: 1600)).write(to: root + "/masks/x.png")
        }
        return root
    }

    func assertRefusal(_ r: ToolRunner.Result, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(r.timedOut, "hung until killed", file: file, line: line)
        XCTAssertFalse(r.signalled, "crashed: \(r.error)", file: file, line: line)
        XCTAssertNotEqual(r.status, 0, file: file, line: line)
        XCTAssertTrue((r.output + r.error).contains(expected), "expected \(expected) in: \(r.output)\(r.error)", file: file, line: line)
    }

    func checkpoint() throws -> String {
        let path = scratchPath("special-model", suffix: ".safetensors")
        try TinyCheckpoint.write(to: path)
        return path
    }

    func testPredictRefusesAFIFOAndDevZero() throws {
        let dir = try scratchDirectory("special-predict")
        try makeFIFO(dir + "/x.png")
        let model = try checkpoint()
        let fifo = try ToolRunner.run(["predict", "--model", model, "--out", dir + "/out", dir + "/x.png"], timeout: 60)
        assertRefusal(fifo, "error: \(dir)/x.png: not a regular file (a FIFO)")
        let zero = try ToolRunner.run(["predict", "--model", model, "--out", dir + "/out", "/dev/zero"], timeout: 60)
        assertRefusal(zero, "error: /dev/zero: not a regular file (a character device)")
    }

    func testCheckpointThatIsAFIFOIsRefused() throws {
        let dir = try scratchDirectory("special-checkpoint")
        try makeFIFO(dir + "/m.safetensors")
        let r = try ToolRunner.run(["info", dir + "/m.safetensors"], timeout: 60)
        assertRefusal(r, "Error: \(dir)/m.safetensors: cannot read: not a regular file (a FIFO)")
    }

    func testPreprocessCheckListsAFIFOAsADatasetProblem() throws {
        let root = try makeDataset(fifo: true)
        let r = try ToolRunner.run(["preprocess", "check", "--data", root], timeout: 60)
        assertRefusal(r, "problem   \(root)/images/x.png: not a regular file (a FIFO)")
    }

    func testPreprocessCheckRefusesAClassMapThatIsAFIFO() throws {
        let root = try makeDataset(fifo: false)
        try makeFIFO(root + "/classes.json")
        let r = try ToolRunner.run(["preprocess", "check", "--data", root, "--class-map", root + "/classes.json"], timeout: 60)
        assertRefusal(r, "\(root)/classes.json")
        assertRefusal(r, "not a regular file (a FIFO)")
    }

    func testTrainRefusesAFIFOInTheDatasetAndASplitFileThatIsAFIFO() throws {
        let common = ["--depth", "1", "--width", "2", "--patch-size", "20", "--batch-size", "1", "--steps", "1", "--threads", "1"]
        let root = try makeDataset(fifo: true)
        let withImage = try ToolRunner.run(["train", "--data", root, "--out", root + "/run"] + common, timeout: 120)
        assertRefusal(withImage, "\(root)/images/x.png: not a regular file (a FIFO)")

        let clean = try makeDataset(fifo: false)
        try makeFIFO(clean + "/split.json")
        let withSplit = try ToolRunner.run(["train", "--data", clean, "--out", clean + "/run"] + common, timeout: 120)
        assertRefusal(withSplit, "\(clean)/split.json: not a regular file (a FIFO)")
    }
}
