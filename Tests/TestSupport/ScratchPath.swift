import Foundation
import XCTest

/// Temporary paths for tests, shared by the test targets so that every test cleans up the
/// same way.
extension XCTestCase {
    /// A fresh path under the temporary directory (nothing is created there), removed with
    /// whatever the test put there when the test ends.
    public func scratchPath(_ prefix: String, suffix: String = "") -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)\(suffix)"
        addTeardownBlock {
            // A test may have made the folder read-only; removal needs write permission.
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            try? FileManager.default.removeItem(atPath: path)
        }
        return path
    }

    /// A fresh empty folder (with the given sub-folders), removed when the test ends.
    public func scratchDirectory(_ prefix: String, subfolders: [String] = []) throws -> String {
        let path = scratchPath(prefix)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for sub in subfolders {
            try FileManager.default.createDirectory(atPath: path + "/" + sub, withIntermediateDirectories: true)
        }
        return path
    }
}
