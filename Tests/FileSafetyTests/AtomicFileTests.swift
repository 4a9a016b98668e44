import Foundation
import FileSafety
import XCTest
import TestSupport

/// `AtomicFile.write`: the temporary file's name, what a failure reports, what it leaves behind.
final class AtomicFileTests: XCTestCase {
    /// The temporary name is `.NAME.tmp-XXXXXX`, or `.unet.tmp-XXXXXX` when that would exceed
    /// a file name's 255 bytes: any name that can exist can be written.
    func testTemporaryNameFitsWheneverTheFinalNameDoes() throws {
        XCTAssertEqual(AtomicFile.temporaryTemplate(for: "last.safetensors"), ".last.safetensors.tmp-XXXXXX")
        let longest = String(repeating: "é", count: 120) + ".png"   // 244 bytes
        XCTAssertEqual(AtomicFile.temporaryTemplate(for: longest), ".unet.tmp-XXXXXX")
        let fits = String(repeating: "a", count: AtomicFile.maximumNameBytes - 12)
        XCTAssertEqual(AtomicFile.temporaryTemplate(for: fits), ".\(fits).tmp-XXXXXX")

        let dir = try scratchDirectory("atomic-names")
        let maximal = String(repeating: "b", count: AtomicFile.maximumNameBytes)
        try AtomicFile.write([1, 2, 3], to: dir + "/" + maximal)
        try AtomicFile.write(Array("x".utf8), to: dir + "/" + longest)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), [longest, maximal].sorted())
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + maximal)), Data([1, 2, 3]))
    }

    func testTemporaryNamesAreRecognisedAndStaleOnesRemoved() throws {
        XCTAssertTrue(AtomicFile.isTemporaryName(".m3.png.tmp-AbC123"))
        XCTAssertTrue(AtomicFile.isTemporaryName(".unet.tmp-x1y2z3"))
        XCTAssertFalse(AtomicFile.isTemporaryName("m3.png.tmp-AbC123"))   // not hidden
        XCTAssertFalse(AtomicFile.isTemporaryName(".m3.png.tmp-AbC12"))   // five characters
        XCTAssertFalse(AtomicFile.isTemporaryName(".unet.lock"))
        let dir = try scratchDirectory("atomic-stale")
        for name in [".a.png.tmp-AbC123", ".unet.tmp-x1y2z3", "a.png", ".unet.lock"] {
            FileManager.default.createFile(atPath: dir + "/" + name, contents: Data([1]))
        }
        XCTAssertEqual(AtomicFile.removeStaleTemporaries(in: dir), 2)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), [".unet.lock", "a.png"])
    }

    /// A failed write names the file and the step, and says that the previous file is unchanged.
    func testFailureNamesTheFileAndTheStep() throws {
        let dir = try scratchDirectory("atomic-fail")
        XCTAssertThrowsError(try AtomicFile.write([1], to: dir + "/missing/x.bin")) { error in
            XCTAssertEqual("\(error)", "\(dir)/missing/x.bin: cannot write (cannot create a temporary file in \(dir)/missing; "
                + "any previous file is unchanged): No such file or directory")
        }
        try AtomicFile.write([7], to: dir + "/kept.bin")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/kept.bin")), Data([7]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["kept.bin"])
    }
}
