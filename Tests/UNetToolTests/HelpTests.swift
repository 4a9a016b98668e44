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
        // The words in order, not the layout: another swift-argument-parser release wraps, indents
        // and capitalises section headers its own way, which is not a change of the help.
        XCTAssertEqual(Self.words(text), Self.words(expected), "help of '\(arguments.joined(separator: " "))' changed; see \(path)")
    }

    static func words(_ text: String) -> [String] { text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init) }

    /// The options that may change on --resume are one list in the tool; its help states it and
    /// the docs must state the same list (they had drifted: three copies, one short of four options).
    func testTheResumeListIsTheSameInTheHelpAndTheDocs() throws {
        let help = try ToolRunner.run(["train", "--help"]).output
        let words = Self.words(help)
        let start = try XCTUnwrap(words.indices.first { words[$0] == "only" && words[$0 + 1].hasPrefix("--epochs") }, help)
        let listed = words[(start + 1)...].prefix { $0 != "may" }.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
        XCTAssertGreaterThan(listed.count, 10, "\(listed)")
        let markdown = listed.map { "`\($0)`" }.joined(separator: ", ")
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs")
        for page in ["RELIABILITY.md", "USAGE.md"] {
            let text = try String(contentsOf: docs.appendingPathComponent(page), encoding: .utf8)
            XCTAssertTrue(text.contains("only " + markdown + "\n") || text.contains("Only " + markdown + "\n"), "\(page) lacks: \(markdown)")
        }
    }

    /// The comparison ignores layout only: a word added, dropped or changed is a difference.
    func testTheComparisonIgnoresLayoutOnly() {
        XCTAssertEqual(Self.words("OPTIONS:\n  --tile <tile>   Tile input side\n     (default: 4)."),
                       Self.words("options: --tile <tile>\n        Tile input side (default: 4)."))
        XCTAssertNotEqual(Self.words("--tile <tile> Tile input side"), Self.words("--tile <tile> Tile side"))
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
