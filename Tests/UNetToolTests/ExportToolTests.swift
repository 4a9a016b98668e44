import Export
import Foundation
import ImageCodecs
import TestSupport
import XCTest

/// `unet export` and the hidden `unet forward`, run as the built binary on the committed
/// export fixtures (Tests/Fixtures/export, written by Tools/make_export_fixtures.py).
final class ExportToolTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/export").path
    var model: String { fixtures + "/residual-transposed.safetensors" }
    let bioimageOptions = ["--author", "A. Person", "--license", "MIT", "--cite", "Ronneberger et al. 2015 10.1007/978-3-319-24574-4_28"]

    func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// A 100×90 gray test image with some structure.
    func testImage() throws -> String {
        let path = scratchPath("unet-export-image", suffix: ".png")
        let samples: [UInt8] = (0..<9000).map { (i: Int) -> UInt8 in UInt8(((i % 100) * 3 + (i / 100) * 5) % 256) }
        try Image(width: 100, height: 90, channels: 1, samples: samples).write(to: path)
        return path
    }

    func testOnnxExportWritesWhatTheLibraryWrites() throws {
        let out = scratchPath("unet-export", suffix: ".onnx")
        let r = try ToolRunner.run(["export", "--model", model, "--format", "onnx", "--out", out])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("ONNX opset 17"), r.output)
        XCTAssertTrue(r.output.contains("H and W must each be 44 + k·4"), r.output)
        XCTAssertEqual(try read(out), try read(fixtures + "/residual-transposed.onnx"))
    }

    func testForwardMatchesOnnxRuntime() throws {
        let out = scratchPath("unet-forward", suffix: ".npy")
        let r = try ToolRunner.run(["forward", "--model", model, "--input", fixtures + "/input.npy", "--out", out])
        XCTAssertEqual(r.status, 0, r.error)
        let mine = try NpyArray(bytes: read(out), path: out)
        let ort = try NpyArray(bytes: read(fixtures + "/residual-transposed.ort.npy"), path: "ort")
        XCTAssertEqual(mine.shape, ort.shape)
        XCTAssertLessThan(zip(mine.values, ort.values).map { abs($0 - $1) }.max()!, 1e-4)
    }

    func testBioImagePackageAsFolderAndZip() throws {
        let image = try testImage()
        let folder = scratchPath("unet-export-package")
        let r = try ToolRunner.run(["export", "--model", model, "--format", "bioimageio", "--out", folder, "--test-image", image] + bioimageOptions)
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder)),
                       ["rdf.yaml", "model.onnx", "test_input.npy", "test_output.npy", "README.md", "cover.png"])
        let rdf = String(decoding: try read(folder + "/rdf.yaml"), as: UTF8.self)
        for line in ["format_version: \"0.5.4\"", "  - name: \"A. Person\"", "    doi: \"10.1007/978-3-319-24574-4_28\"", "license: \"MIT\"",
                     "          min: 44", "          step: 4", "          offset: -40", "      - id: \"fixed_zero_mean_unit_variance\""] {
            XCTAssertTrue(rdf.contains(line + "\n"), "rdf.yaml lacks \(line):\n\(rdf)")
        }
        // 100×90 is cropped to the largest valid sides: 100 and 88; the output loses 20 per side.
        let input = try NpyArray(bytes: read(folder + "/test_input.npy"), path: "test_input.npy")
        XCTAssertEqual(input.shape, [1, 1, 88, 100])
        XCTAssertEqual(try NpyArray(bytes: read(folder + "/test_output.npy"), path: "test_output.npy").shape, [1, 2, 48, 60])
        let cover = try Image.read(contentsOf: folder + "/cover.png")
        XCTAssertEqual([cover.width, cover.height], [120, 48])
        XCTAssertEqual(try read(folder + "/model.onnx"), try read(fixtures + "/residual-transposed.onnx"))
        XCTAssertTrue(String(decoding: try read(folder + "/README.md"), as: UTF8.self).contains("\n## Validation\n"))

        let zip = scratchPath("unet-export-package", suffix: ".zip")
        let z = try ToolRunner.run(["export", "--model", model, "--format", "bioimageio", "--out", zip, "--test-image", image] + bioimageOptions)
        XCTAssertEqual(z.status, 0, z.error)
        let archive = try read(zip)
        XCTAssertEqual(Array(archive.prefix(4)), [0x50, 0x4B, 0x03, 0x04])
        let text = String(decoding: archive, as: UTF8.self)
        XCTAssertTrue(text.contains("format_version: \"0.5.4\""))
        var expected = 22
        for name in ["rdf.yaml", "model.onnx", "test_input.npy", "test_output.npy", "README.md", "cover.png"] {
            expected += 30 + 46 + 2 * name.utf8.count + (try read(folder + "/" + name)).count
        }
        XCTAssertEqual(archive.count, expected)
    }

    func testRefusals() throws {
        let image = try testImage()
        func refused(_ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try ToolRunner.run(["export", "--model", model] + arguments)
            XCTAssertNotEqual(r.status, 0, file: file, line: line)
            XCTAssertTrue(r.error.contains(message), "expected '\(message)' in: \(r.error)", file: file, line: line)
        }
        try refused(["--format", "onnx", "--out", model], "--out \(model) is the model")
        let notOnnx = scratchPath("unet-export-existing", suffix: ".onnx")
        try Data("notes".utf8).write(to: URL(fileURLWithPath: notOnnx))
        try refused(["--format", "onnx", "--out", notOnnx], "exists and is not an ONNX model; it is left as it is")
        XCTAssertEqual(try read(notOnnx), Array("notes".utf8))
        try refused(["--format", "onnx", "--out", scratchPath("x", suffix: ".onnx"), "--author", "A"], "--author is for --format bioimageio")
        let out = scratchPath("unet-export-package")
        try refused(["--format", "bioimageio", "--out", out, "--test-image", image, "--license", "MIT", "--cite", "T 10.1/x"],
                    "--author: missing; a bioimage.io model description needs at least one author")
        try refused(["--format", "bioimageio", "--out", out, "--test-image", image, "--author", "A", "--cite", "T 10.1/x"], "--license: missing")
        try refused(["--format", "bioimageio", "--out", out, "--test-image", image, "--author", "A", "--license", "MIT"], "--cite: missing")
        try refused(["--format", "bioimageio", "--out", out] + bioimageOptions, "--test-image: missing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let busy = try scratchDirectory("unet-export-busy")
        try Data("mine".utf8).write(to: URL(fileURLWithPath: busy + "/README.md"))
        try refused(["--format", "bioimageio", "--out", busy, "--test-image", image] + bioimageOptions, "is a folder holding other files and no rdf.yaml")
        XCTAssertEqual(try read(busy + "/README.md"), Array("mine".utf8))
        let small = scratchPath("unet-export-small", suffix: ".png")
        try Image(width: 30, height: 30, channels: 1, samples: [UInt8](repeating: 9, count: 900)).write(to: small)
        try refused(["--format", "bioimageio", "--out", out, "--test-image", small] + bioimageOptions,
                    "--test-image \(small): the image is 30×30, smaller than the network's smallest input (44×44)")
    }
}
