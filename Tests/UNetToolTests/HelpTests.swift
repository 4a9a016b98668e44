import Foundation
import XCTest
import TestSupport

/// `unet --help` and each subcommand's help against golden texts in Golden/ (regenerate with
/// `UNET_UPDATE_GOLDEN=1 swift test --filter HelpTests` after an intended change).
final class HelpTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    func check(_ arguments: [String], _ name: String) throws {
        let result = try ToolRunner.run(arguments + ["--help"])
        XCTAssertEqual(result.status, 0)
        let text = result.output
        let path = "\(Self.golden)/\(name).txt"
        if ProcessInfo.processInfo.environment["UNET_UPDATE_GOLDEN"] != nil {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, expected, "help of '\(arguments.joined(separator: " "))' changed; see \(path)")
    }

    func testTopLevelHelp() throws { try check([], "unet") }
    func testTrainHelp() throws { try check(["train"], "train") }
    func testPredictHelp() throws { try check(["predict"], "predict") }
    func testEvaluateHelp() throws { try check(["evaluate"], "evaluate") }
    func testInfoHelp() throws { try check(["info"], "info") }
    func testPreprocessHelp() throws { try check(["preprocess"], "preprocess") }
    func testBenchHelp() throws { try check(["bench"], "bench") }
    func testExportHelp() throws { try check(["export"], "export") }
    func testPlanHelp() throws { try check(["plan"], "plan") }
}
