import Foundation
import ImageCodecs
import XCTest
import TestSupport

/// `unet info` and `unet predict` on checkpoints whose metadata is hostile: each exits 1 with
/// the file and the field named, never a crash (before: SIGSEGV for a base width of 2^40 or a
/// short palette, SIGFPE for an empty normalisation mean).
final class HostileCheckpointTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func checkpoint(_ edit: @escaping (inout [String: Any]) -> Void) throws -> String {
        let path = scratchPath("hostile", suffix: ".safetensors")
        try TinyCheckpoint.write(to: path, editModel: edit)
        return path
    }

    func configuration(_ field: String, _ value: Any) throws -> String {
        try checkpoint { json in
            var c = json["configuration"] as! [String: Any]
            c[field] = value
            json["configuration"] = c
        }
    }

    func image() throws -> String {
        let path = scratchPath("hostile-image", suffix: ".png")
        try Image(width: 8, height: 8, channels: 1, samples: [UInt8](repeating: 90, count: 64)).write(to: path)
        return path
    }

    /// Runs `arguments` (with `PATH` standing for `path`) and checks the refusal.
    func assertRefused(_ path: String, _ arguments: [String], reason: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try ToolRunner.run(arguments.map { $0 == "PATH" ? path : $0 }, timeout: 120)
        XCTAssertFalse(r.signalled, "crashed: \(r.error)", file: file, line: line)
        XCTAssertEqual(r.status, 1, r.error, file: file, line: line)
        XCTAssertTrue(r.error.contains("Error: \(path): not a unet checkpoint (metadata 'unet.model': \(reason))"), r.error, file: file, line: line)
        XCTAssertFalse(r.error.contains("\u{1B}"), "an escape sequence reached the terminal", file: file, line: line)
    }

    func testGoodCheckpointIsDescribed() throws {
        let path = scratchPath("good", suffix: ".safetensors")
        try TinyCheckpoint.write(to: path)
        let r = try ToolRunner.run(["info", path], timeout: 120)
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("classes      0 background [0, 0, 0], 1 cell"), r.output)
    }

    func testInfoRefusesEachHostileField() throws {
        let cases: [(String, String)] = [
            (try configuration("baseWidth", 1 << 40), "configuration.baseWidth: base width must be between 1 and 8192 (got 1099511627776)"),
            (try checkpoint { $0["normalization"] = ["mean": [Float](), "std": [Float]()] },
             "normalization.mean has 0 values for 1 input channel(s); normalization.std has 0 values for 1 input channel(s)"),
            (try checkpoint { $0["palette"] = [[0, 0, 0]] }, "palette has 1 colours for 2 classes"),
            (try checkpoint { $0["palette"] = [[0, 0, 0], [300, 0, 0]] }, "palette[1][0]: 300 is not a colour component (0...255)"),
            (try checkpoint { $0["normalization"] = ["mean": [0.5], "std": [0]] }, "normalization.std[0] is 0.0; it must be positive"),
            (try checkpoint { $0["normalization"] = ["mean": [0], "std": [1], "scheme": "percentile", "percentiles": [99, 1]] as [String: Any] },
             "normalization.percentiles are 99.0 and 1.0; the low percentile must be below the high one"),
            (try checkpoint { $0["normalization"] = ["mean": [0], "std": [1], "scheme": "percentile", "percentiles": [1, 250]] as [String: Any] },
             "normalization.percentiles[1] is 250.0; a percentile must be within 0...100"),
            (try checkpoint { $0["normalization"] = ["mean": [0], "std": [1], "scheme": "zscore"] as [String: Any] },
             "normalization.scheme: unknown scheme \"zscore\"; it must be dataset or percentile"),
            (try checkpoint { $0["classNames"] = ["cell", "cell"] },
             "classNames[1] repeats the name of classNames[0] (\"cell\"); each class needs its own"),
            (try checkpoint { $0["classNames"] = ["background", "\u{1B}[31mred"] },
             "classNames[1] contains the control character U+001B; names are printed to terminals"),
        ]
        for (path, reason) in cases { try assertRefused(path, ["info", "PATH"], reason: reason) }
    }

    func testPredictRefusesHostileCheckpoints() throws {
        let image = try image()
        let out = scratchPath("hostile-out")
        try assertRefused(try configuration("baseWidth", 1 << 40), ["predict", "--model", "PATH", "--out", out, image],
                          reason: "configuration.baseWidth: base width must be between 1 and 8192 (got 1099511627776)")
        try assertRefused(try checkpoint { $0["normalization"] = ["mean": [Float](), "std": [Float]()] },
                          ["predict", "--model", "PATH", "--out", out, image],
                          reason: "normalization.mean has 0 values for 1 input channel(s); normalization.std has 0 values for 1 input channel(s)")
        try assertRefused(try checkpoint { $0["palette"] = [[0, 0, 0]] }, ["predict", "--model", "PATH", "--out", out, "--overlay", image],
                          reason: "palette has 1 colours for 2 classes")
    }
}
