import Foundation
import XCTest

extension XCTestCase {
    /// A fresh path under the temporary directory (nothing is created there), removed with
    /// whatever the test put there when the test ends.
    func scratchPath(_ prefix: String, suffix: String = "") -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)\(suffix)"
        addTeardownBlock {
            // A test may have made the folder read-only; removal needs write permission.
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            try? FileManager.default.removeItem(atPath: path)
        }
        return path
    }
}
