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
    func makeTestImage() throws -> String {
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
        let image = try makeTestImage()
        let folder = scratchPath("unet-export-package")
        let r = try ToolRunner.run(["export", "--model", model, "--format", "bioimageio", "--out", folder, "--test-image", image] + bioimageOptions)
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder)),
                       ["rdf.yaml", "model.onnx", "test_input.npy", "test_output.npy", "README.md", "cover.png", ".unet-export.json"])
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
        let image = try makeTestImage()
        func refused(_ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try ToolRunner.run(["export", "--model", model] + arguments)
            XCTAssertNotEqual(r.status, 0, file: file, line: line)
            XCTAssertTrue(r.error.contains(message), "expected '\(message)' in: \(r.error)", file: file, line: line)
        }
        try refused(["--format", "onnx", "--out", model], "--out \(model) is the model")
        let notOnnx = scratchPath("unet-export-existing", suffix: ".onnx")
        try Data("notes".utf8).write(to: URL(fileURLWithPath: notOnnx))
        try refused(["--format", "onnx", "--out", notOnnx], "exists and is not an ONNX model written by unet export; it is left as it is")
        XCTAssertEqual(try read(notOnnx), Array("notes".utf8))
        try refused(["--format", "onnx", "--out", scratchPath("x", suffix: ".onnx"), "--author", "A"], "--author is for --format bioimageio")
        let out = scratchPath("unet-export-package")
        try refused(["--format", "bioimageio", "--out", out, "--test-image", image, "--license", "MIT", "--cite", "T 10.1234/x"],
                    "--author: missing; a bioimage.io model description needs at least one author")
        try refused(["--format", "bioimageio", "--out", out, "--test-image", image, "--author", "A", "--cite", "T 10.1234/x"], "--license: missing")
        try refused(["--format", "bioimageio", "--out", out, "--test-image", image, "--author", "A", "--license", "MIT"], "--cite: missing")
        try refused(["--format", "bioimageio", "--out", out] + bioimageOptions, "--test-image: missing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let busy = try scratchDirectory("unet-export-busy")
        try Data("mine".utf8).write(to: URL(fileURLWithPath: busy + "/README.md"))
        try refused(["--format", "bioimageio", "--out", busy, "--test-image", image] + bioimageOptions,
                    "--out \(busy) holds 1 file(s) that unet export did not write and would replace (\(busy)/README.md)")
        XCTAssertEqual(try read(busy + "/README.md"), Array("mine".utf8))
        let small = scratchPath("unet-export-small", suffix: ".png")
        try Image(width: 30, height: 30, channels: 1, samples: [UInt8](repeating: 9, count: 900)).write(to: small)
        try refused(["--format", "bioimageio", "--out", out, "--test-image", small] + bioimageOptions,
                    "--test-image \(small): the image is 30×30, smaller than the network's smallest input (44×44)")
    }

    /// A folder holding a foreign rdf.yaml, a user's README.md and the export's own inputs under
    /// the package's names used to be written over file by file.
    func testPackageFolderNeverReplacesInputsOrForeignFiles() throws {
        let folder = try scratchDirectory("unet-export-foreign")
        let checkpoint = folder + "/model.onnx", cover = folder + "/cover.png"
        try FileManager.default.copyItem(atPath: model, toPath: checkpoint)
        try FileManager.default.copyItem(atPath: try makeTestImage(), toPath: cover)
        for (name, text) in [("rdf.yaml", "format_version: 0.5.4\nname: mine\n"), ("README.md", "my notes\n")] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
        func snapshot() throws -> [String: [UInt8]] {
            var files: [String: [UInt8]] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !name.hasPrefix(".") { files[name] = try read(folder + "/" + name) }
            return files
        }
        let before = try snapshot()
        let arguments = ["export", "--model", checkpoint, "--format", "bioimageio", "--out", folder, "--test-image", cover] + bioimageOptions
        let r = try ToolRunner.run(arguments)
        XCTAssertNotEqual(r.status, 0)
        for expected in ["\(folder)/model.onnx is the model \(checkpoint)", "\(folder)/cover.png is the test image \(cover)",
                         "holds 2 file(s) that unet export did not write and would replace (\(folder)/rdf.yaml, \(folder)/README.md)",
                         "nothing was written"] {
            XCTAssertTrue(r.error.contains(expected), "expected '\(expected)' in: \(r.error)")
        }
        XCTAssertEqual(try snapshot(), before)
        // --overwrite gives the foreign files up, never the inputs.
        let forced = try ToolRunner.run(arguments + ["--overwrite"])
        XCTAssertNotEqual(forced.status, 0)
        XCTAssertTrue(forced.error.contains("is the model") && forced.error.contains("is the test image") && !forced.error.contains("did not write"), forced.error)
        XCTAssertEqual(try snapshot(), before)

        // Inputs moved out: --overwrite replaces the foreign files, and the folder is then this tool's.
        let image = try makeTestImage()
        let elsewhere = ["export", "--model", model, "--format", "bioimageio", "--out", folder, "--test-image", image] + bioimageOptions
        try FileManager.default.removeItem(atPath: checkpoint)
        try FileManager.default.removeItem(atPath: cover)
        XCTAssertNotEqual(try ToolRunner.run(elsewhere).status, 0)
        XCTAssertEqual(try read(folder + "/README.md"), Array("my notes\n".utf8))
        let replaced = try ToolRunner.run(elsewhere + ["--overwrite"])
        XCTAssertEqual(replaced.status, 0, replaced.error)
        let again = try ToolRunner.run(elsewhere)
        XCTAssertEqual(again.status, 0, "a package this tool wrote is replaced without --overwrite: \(again.error)")
        XCTAssertTrue(String(decoding: try read(folder + "/README.md"), as: UTF8.self).contains("## Validation"))
    }

    /// An existing zip or ONNX file is replaced only when it is an earlier export of this tool
    /// (a foreign archive or model used to be replaced without a word), or with --overwrite.
    func testForeignZipAndONNXAreKeptUnlessOverwrite() throws {
        let image = try makeTestImage()
        var archive = ZipArchive()
        archive.add("data.csv", Array("a,b\n1,2\n".utf8))
        archive.add("rdf.yaml", Array("name: not ours\n".utf8))
        let zip = scratchPath("unet-export-foreign", suffix: ".zip")
        try Data(try archive.encoded()).write(to: URL(fileURLWithPath: zip))
        let foreignZip = try read(zip)
        let zipArguments = ["export", "--model", model, "--format", "bioimageio", "--out", zip, "--test-image", image] + bioimageOptions
        let refusedZip = try ToolRunner.run(zipArguments)
        XCTAssertNotEqual(refusedZip.status, 0)
        XCTAssertTrue(refusedZip.error.contains("--out \(zip) exists and is not a bioimage.io package written by unet export; it is left as it is"), refusedZip.error)
        XCTAssertEqual(try read(zip), foreignZip)
        XCTAssertEqual(try ToolRunner.run(zipArguments + ["--overwrite"]).status, 0)
        XCTAssertNotEqual(try read(zip), foreignZip)
        XCTAssertEqual(try ToolRunner.run(zipArguments).status, 0, "an earlier package of this tool is replaced")

        // A model from another producer: ir_version 7, producer_name "pytorch".
        let onnx = scratchPath("unet-export-foreign", suffix: ".onnx")
        let foreignModel: [UInt8] = [0x08, 0x07, 0x12, 0x07] + Array("pytorch".utf8) + [0x1A, 0x03] + Array("2.1".utf8)
        try Data(foreignModel).write(to: URL(fileURLWithPath: onnx))
        let onnxArguments = ["export", "--model", model, "--format", "onnx", "--out", onnx]
        let refusedModel = try ToolRunner.run(onnxArguments)
        XCTAssertNotEqual(refusedModel.status, 0)
        XCTAssertTrue(refusedModel.error.contains("--out \(onnx) exists and is not an ONNX model written by unet export"), refusedModel.error)
        XCTAssertEqual(try read(onnx), foreignModel)
        XCTAssertEqual(try ToolRunner.run(onnxArguments + ["--overwrite"]).status, 0)
        XCTAssertEqual(try read(onnx), try read(fixtures + "/residual-transposed.onnx"))
        XCTAssertEqual(try ToolRunner.run(onnxArguments).status, 0, "an earlier export of this tool is replaced")
    }

    /// Values bioimage.io's validator rejects are refused before anything is written (they used
    /// to give packages that exit 0 and fail validation).
    func testDescriptionValuesAreValidatedBeforeWriting() throws {
        let image = try makeTestImage()
        let out = scratchPath("unet-export-invalid")
        for (extra, expected) in [(["--name", "Mito/EM: v2"], "--name \"Mito/EM: v2\": bioimage.io allows only letters"),
                                  (["--name", String(repeating: "n", count: 129)], "the name has 129 characters; bioimage.io wants 5 to 128"),
                                  (["--license", "mit"], "--license \"mit\": identifiers are case-sensitive: write MIT"),
                                  (["--license", "Proprietary"], "--license \"Proprietary\": not an SPDX licence identifier")] {
            var options = bioimageOptions
            if extra[0] == "--license" { options[3] = extra[1] } else { options += extra }
            let r = try ToolRunner.run(["export", "--model", model, "--format", "bioimageio", "--out", out, "--test-image", image] + options)
            XCTAssertNotEqual(r.status, 0, "\(extra)")
            XCTAssertTrue(r.error.contains(expected), "expected '\(expected)' in: \(r.error)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }

    /// --softmax gives the probabilities output; --name and --description reach rdf.yaml.
    func testSoftmaxNameAndDescriptionReachTheFiles() throws {
        let onnx = scratchPath("unet-export-softmax", suffix: ".onnx")
        let r = try ToolRunner.run(["export", "--model", model, "--format", "onnx", "--out", onnx, "--softmax"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("output 'probabilities'"), r.output)
        let text = String(decoding: try read(onnx), as: UTF8.self)
        XCTAssertTrue(text.contains("Softmax") && text.contains("probabilities"))
        XCTAssertNotEqual(try read(onnx), try read(fixtures + "/residual-transposed.onnx"))
        let folder = scratchPath("unet-export-described")
        let p = try ToolRunner.run(["export", "--model", model, "--format", "bioimageio", "--out", folder, "--test-image", try makeTestImage(),
                                    "--name", "Membranes (EM) v2", "--description", "Segments membranes in EM slices."] + bioimageOptions)
        XCTAssertEqual(p.status, 0, p.error)
        let rdf = String(decoding: try read(folder + "/rdf.yaml"), as: UTF8.self)
        XCTAssertTrue(rdf.contains("name: \"Membranes (EM) v2\"\n"), rdf)
        XCTAssertTrue(rdf.contains("description: \"Segments membranes in EM slices.\"\n"), rdf)
    }
}
