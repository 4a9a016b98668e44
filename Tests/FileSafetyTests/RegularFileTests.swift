#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FileSafety
import XCTest
import TestSupport

/// `RegularFile.read` reads regular files whole and refuses the rest by name, without blocking.
final class RegularFileTests: XCTestCase {
    func message(_ path: String, maxBytes: Int = 1 << 20) -> String {
        do { _ = try RegularFile.read(path, maxBytes: maxBytes) } catch { return "\(error)" }
        return "read"
    }

    func testReadsWholeFilesUpToTheLimit() throws {
        let path = scratchPath("regular", suffix: ".bin")
        let bytes = (0..<200_000).map { UInt8($0 % 251) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try RegularFile.read(path, maxBytes: 200_000), bytes)
        XCTAssertEqual(message(path, maxBytes: 199_999), "\(path): file is 200000 bytes; the limit for this kind of file is 199999 bytes")
        FileManager.default.createFile(atPath: path, contents: nil)
        XCTAssertEqual(try RegularFile.read(path, maxBytes: 0), [])
    }

    func testRefusesOtherKindsOfFileByName() throws {
        let dir = try scratchDirectory("regular-kinds")
        XCTAssertEqual(mkfifo(dir + "/fifo", 0o644), 0)
        XCTAssertEqual(message(dir + "/fifo"), "\(dir)/fifo: not a regular file (a FIFO)")
        XCTAssertEqual(message(dir), "\(dir): not a regular file (a directory)")
        XCTAssertEqual(message("/dev/zero"), "/dev/zero: not a regular file (a character device)")
        XCTAssertEqual(message(dir + "/missing"), "\(dir)/missing: No such file or directory")
        XCTAssertEqual(RegularFile.nonRegularKind(at: dir + "/fifo"), "a FIFO")
    }
}
