import FileSafety
import Foundation
import ImageCodecs
import Tensors
import Training
import XCTest
import TestSupport

/// The built tool never writes over what the user gave it: outputs that are (or lie in) inputs,
/// colliding output names, run folders that hold another run or belong to another process, a
/// resumed copy of a run folder, and temporaries of an interrupted `predict`.
final class FileSafetyTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// A dataset of `count` gray 40×40 images with 0/255 masks.
    func makeDataset(count: Int = 3, rgb: Bool = false) throws -> String {
        let root = try scratchDirectory("unet-safety", subfolders: ["images", "masks"])
        var rng = SeededGenerator(seed: 11)
        for k in 0..<count {
            let img = (0..<1600).map { _ in UInt8(rng.next() % 256) }
            let image = rgb ? Image(width: 40, height: 40, channels: 3, samples: img.flatMap { [$0, $0 / 2, 255 - $0] })
                            : Image(width: 40, height: 40, channels: 1, samples: img)
            try image.write(to: "\(root)/images/i\(k).png")
            try Image(width: 40, height: 40, channels: 1, samples: img.map { $0 > 128 ? 255 : 0 }).write(to: "\(root)/masks/i\(k).png")
        }
        return root
    }

    func trainArguments(_ root: String, _ run: String) -> [String] {
        ["train", "--data", root, "--out", run, "--depth", "2", "--width", "4", "--patch-size", "60", "--batch-size", "1",
         "--threads", "1", "--disable", "elastic"]
    }

    /// A tiny trained model (and its dataset).
    func makeModel() throws -> (root: String, model: String) {
        let root = try makeDataset()
        let run = root + "/run"
        let r = try ToolRunner.run(trainArguments(root, run) + ["--steps", "2", "--val-fraction", "0"])
        XCTAssertEqual(r.status, 0, r.error)
        return (root, run + "/last.safetensors")
    }

    func bytes(_ folder: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name != FolderLock.fileName {
            out[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        }
        return out
    }

    func visibleFiles(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    // MARK: outputs vs inputs

    func testPredictNeverWritesOverItsInputsOrGroundTruth() throws {
        let (root, model) = try makeModel()
        let images = try bytes(root + "/images"), masks = try bytes(root + "/masks")
        let link = root + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: root + "/images")
        let cases: [([String], String)] = [
            (["--out", root + "/images", root + "/images"], "is the input folder"),
            (["--out", link, root + "/images"], "is the input folder"),                       // through a symlink
            (["--out", root + "/images/../images", root + "/images"], "is the input folder"),  // through ..
            (["--out", root + "/images", root + "/images/i0.png"], "is the input image"),
            (["--out", root + "/images/pred", root + "/images"], "is inside the input folder"),
            (["--out", root + "/masks", root + "/images"], "did not write"),                  // the ground truth
        ]
        for (arguments, message) in cases {
            let r = try ToolRunner.run(["predict", "--model", model] + arguments)
            XCTAssertEqual(r.status, 1, "\(arguments): \(r.output) \(r.error)")
            XCTAssertTrue(r.error.contains(message), "\(arguments): \(r.error)")
            XCTAssertFalse(r.error.contains("Usage:"), r.error)
        }
        XCTAssertEqual(try bytes(root + "/images"), images)
        XCTAssertEqual(try bytes(root + "/masks"), masks)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/images/pred"))

        // Replacing files that predict did not write takes --overwrite.
        let forced = try ToolRunner.run(["predict", "--model", model, "--out", root + "/masks", "--overwrite", root + "/images"])
        XCTAssertEqual(forced.status, 0, forced.error)
        XCTAssertNotEqual(try bytes(root + "/masks")["i0.png"], masks["i0.png"])
    }

    func testPredictMayReplaceItsOwnOutputs() throws {
        let (root, model) = try makeModel()
        let out = root + "/pred"
        for _ in 0..<2 {
            let r = try ToolRunner.run(["predict", "--model", model, "--out", out, "--overlay", root + "/images"])
            XCTAssertEqual(r.status, 0, r.error)
            XCTAssertTrue(r.output.contains("wrote 3 mask(s), with overlays"), r.output)
        }
        XCTAssertEqual(visibleFiles(out), ["i0.png", "i0_overlay.png", "i1.png", "i1_overlay.png", "i2.png", "i2_overlay.png"])
    }

    func testEvaluateJSONNeverLandsOnItsInputs() throws {
        let (root, model) = try makeModel()
        let pred = root + "/pred"
        XCTAssertEqual(try ToolRunner.run(["predict", "--model", model, "--out", pred, root + "/images"]).status, 0)
        let masks = try bytes(root + "/masks")
        // Inputs, and existing files that are not an earlier report (a checkpoint, say).
        for json in [root + "/masks/i0.png", pred + "/i1.png", model, root + "/masks"] {
            let r = try ToolRunner.run(["evaluate", "--pred", pred, "--masks", root + "/masks", "--json", json])
            XCTAssertEqual(r.status, 1, "\(json): \(r.output)")
            XCTAssertTrue(r.error.contains("--json"), r.error)
        }
        let model2 = try ToolRunner.run(["evaluate", "--model", model, "--data", root, "--json", root + "/images/i0.png"])
        XCTAssertEqual(model2.status, 1, model2.output)
        XCTAssertEqual(try bytes(root + "/masks"), masks)
        let ok = try ToolRunner.run(["evaluate", "--pred", pred, "--masks", root + "/masks", "--json", root + "/scores.json"])
        XCTAssertEqual(ok.status, 0, ok.error)
    }

    func testTrainAndPreprocessOutputsStayOffTheData() throws {
        let root = try makeDataset()
        let images = try bytes(root + "/images")
        for out in [root, root + "/images", root + "/masks/run"] {
            let r = try ToolRunner.run(trainArguments(root, out) + ["--steps", "1"])
            XCTAssertEqual(r.status, 1, "\(out): \(r.output)")
            XCTAssertTrue(r.error.contains("--out"), r.error)
        }
        let tile = try ToolRunner.run(["preprocess", "tile", "--data", root, "--out", root + "/images/tiles", "--size", "20"])
        XCTAssertNotEqual(tile.status, 0)
        XCTAssertTrue(tile.error.contains("inside"), tile.error)
        XCTAssertEqual(try bytes(root + "/images"), images)
    }

    // MARK: name collisions

    func testPredictRefusesCollidingOutputNamesBeforeWritingAnything() throws {
        let (root, model) = try makeModel()
        let source = try Data(contentsOf: URL(fileURLWithPath: root + "/images/i0.png"))
        let collide = try scratchDirectory("unet-collide", subfolders: ["d1", "d2", "flat"])
        for name in ["flat/a.png", "flat/a.PNG", "d1/x.png", "d2/x.png", "flat/y.png", "flat/y_overlay.png"] {
            try source.write(to: URL(fileURLWithPath: collide + "/" + name))
        }
        let jpeg = try Image.read(contentsOf: root + "/images/i0.png")
        try jpeg.write(to: collide + "/flat/b.jpg", format: .jpeg)
        try jpeg.write(to: collide + "/flat/b.png", format: .png)
        let cases: [([String], String)] = [
            ([collide + "/flat"], "a.png would be written for both"),                   // a.png + a.PNG
            ([collide + "/flat/b.jpg", collide + "/flat/b.png"], "b.png would be written for both"),
            ([collide + "/d1/x.png", collide + "/d2/x.png"], "x.png would be written for both"),
            ([collide + "/d1/x.png", collide + "/d1/x.png"], "given twice"),
            ([collide + "/d1/x.png", collide + "/d2/../d1/x.png"], "given twice"),
            (["--overlay", collide + "/flat/y.png", collide + "/flat/y_overlay.png"], "y_overlay.png would be written for both"),
        ]
        for (arguments, message) in cases {
            let out = scratchPath("unet-collide-out")
            let r = try ToolRunner.run(["predict", "--model", model, "--out", out] + arguments)
            XCTAssertEqual(r.status, 1, "\(arguments): \(r.output)")
            XCTAssertTrue(r.error.contains(message) && r.error.contains("nothing was written"), "\(arguments): \(r.error)")
            XCTAssertEqual(visibleFiles(out), [], "\(arguments)")
        }
        // Files in sub-folders of one folder argument keep their sub-folders: no collision, and the
        // count is the files written.
        let out = scratchPath("unet-collide-out")
        let r = try ToolRunner.run(["predict", "--model", model, "--out", out, collide + "/d1", collide + "/d2"])
        XCTAssertEqual(r.status, 1, "x.png twice at the top of two folders collides")
        XCTAssertEqual(r.output, "")
        let subfolders = try ToolRunner.run(["predict", "--model", model, "--out", out, collide])
        XCTAssertTrue(subfolders.error.contains("would be written for both"), subfolders.error)
        try FileManager.default.removeItem(atPath: collide + "/flat")
        let fine = try ToolRunner.run(["predict", "--model", model, "--out", out, collide])
        XCTAssertEqual(fine.status, 0, fine.error)
        XCTAssertTrue(fine.output.contains("wrote 2 mask(s)"), fine.output)
        XCTAssertEqual(visibleFiles(out + "/d1") + visibleFiles(out + "/d2"), ["x.png", "x.png"])
    }

    func testLongNamesArePredicted() throws {
        let (root, model) = try makeModel()
        let folder = try scratchDirectory("unet-long")
        let name = String(repeating: "n", count: 247) + ".png"   // 251 bytes: its mask NAME.png fits
        try FileManager.default.copyItem(atPath: root + "/images/i0.png", toPath: folder + "/" + name)
        let out = scratchPath("unet-long-out")
        let r = try ToolRunner.run(["predict", "--model", model, "--out", out, folder])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertEqual(visibleFiles(out), [name])
        // Its overlay name would be 259 bytes: refused up front, not half-written.
        let overlay = try ToolRunner.run(["predict", "--model", model, "--out", scratchPath("unet-long-out"), "--overlay", folder])
        XCTAssertEqual(overlay.status, 1)
        XCTAssertTrue(overlay.error.contains("over the 255"), overlay.error)
    }

    // MARK: run folders

    func testTrainingIntoAnExistingRunNeedsOverwrite() throws {
        let root = try makeDataset()
        let run = root + "-run"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: run) }
        let first = try ToolRunner.run(trainArguments(root, run) + ["--steps", "2", "--val-fraction", "0.34"])
        XCTAssertEqual(first.status, 0, first.error)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/best.safetensors"))
        let before = try bytes(run)

        let again = try ToolRunner.run(trainArguments(root, run) + ["--steps", "2"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.error.contains("\(run) already holds a training run") && again.error.contains("--overwrite"), again.error)
        XCTAssertEqual(try bytes(run), before)

        // --overwrite replaces the run; without validation data no stale best survives, and the
        // final line names only files that exist.
        let replaced = try ToolRunner.run(trainArguments(root, run) + ["--steps", "2", "--val-fraction", "0", "--overwrite"])
        XCTAssertEqual(replaced.status, 0, replaced.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/best.safetensors"))
        XCTAssertTrue(replaced.output.contains("no best checkpoint (no validation data)"), replaced.output)
        XCTAssertFalse(replaced.output.contains("best.safetensors"), replaced.output)
    }

    /// A run killed before its first save leaves only options.json: nothing to keep, so the
    /// next run takes the folder without --overwrite.
    func testAFolderWithOnlyTheOptionsOfAKilledRunIsTaken() throws {
        let root = try makeDataset()
        let run = root + "/run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: run + "/options.json"))
        let r = try ToolRunner.run(trainArguments(root, run) + ["--steps", "1", "--val-fraction", "0"])
        XCTAssertEqual(r.status, 0, r.error)
    }

    func testASecondProcessOnARunFolderIsRefusedWithTheHoldersPID() throws {
        let root = try makeDataset()
        let run = root + "/run"
        let holder = try FaultTests.Running(trainArguments(root, run) + ["--epochs", "100000", "--val-fraction", "0"])
        XCTAssertTrue(holder.wait(seconds: 60) { holder.error.contains("training ") }, holder.error)
        let second = try ToolRunner.run(trainArguments(root, run) + ["--steps", "1", "--overwrite"])
        let predict = try ToolRunner.run(["predict", "--model", "x.safetensors", "--out", run, root + "/images"])
        holder.process.terminate()
        holder.process.waitUntilExit()
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.error.contains("\(run) is in use by another unet process (PID \(holder.process.processIdentifier), unet train)"), second.error)
        XCTAssertNotEqual(predict.status, 0)
        // The kernel dropped the lock with the process: the folder can be resumed at once.
        let step = try XCTUnwrap(try Checkpoint.read(from: run + "/last.safetensors").training?.step)
        let resumed = try ToolRunner.run(["train", "--resume", run + "/last.safetensors", "--steps", String(step + 1)])
        XCTAssertEqual(resumed.status, 0, resumed.error)
    }

    func testResumingACopyWritesIntoTheCopy() throws {
        let root = try makeDataset()
        let run = root + "/run", copy = root + "/copy", other = root + "/other"
        XCTAssertEqual(try ToolRunner.run(trainArguments(root, run) + ["--steps", "2", "--val-fraction", "0.34"]).status, 0)
        try FileManager.default.copyItem(atPath: run, toPath: copy)
        let original = try bytes(run)
        let r = try ToolRunner.run(["train", "--resume", copy + "/last.safetensors", "--steps", "4"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertEqual(try bytes(run), original, "the original run folder was written to")
        XCTAssertEqual(try Checkpoint.read(from: copy + "/last.safetensors").training?.step, 4)
        XCTAssertTrue(r.output.contains("writing to \(copy)"), r.output)

        // --out takes the run elsewhere, with its history (metrics and best).
        let moved = try ToolRunner.run(["train", "--resume", copy + "/last.safetensors", "--steps", "6", "--out", other])
        XCTAssertEqual(moved.status, 0, moved.error)
        XCTAssertEqual(try Checkpoint.read(from: other + "/last.safetensors").training?.step, 6)
        XCTAssertTrue(FileManager.default.fileExists(atPath: other + "/best.safetensors"))
        let rows = try String(contentsOfFile: other + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 1 + 3, "header and one row per epoch of the whole run")
        // A folder that holds another run is not taken over by a resume either.
        let taken = try ToolRunner.run(["train", "--resume", copy + "/last.safetensors", "--steps", "8", "--out", run])
        XCTAssertEqual(taken.status, 1)
        XCTAssertTrue(taken.error.contains("already holds a training run"), taken.error)
    }

    func testResumeRefusesOptionsThatMayNotChange() throws {
        let root = try makeDataset()
        let run = root + "/run"
        XCTAssertEqual(try ToolRunner.run(trainArguments(root, run) + ["--steps", "2", "--val-fraction", "0"]).status, 0)
        let last = run + "/last.safetensors"
        let before = try bytes(run)
        let r = try ToolRunner.run(["train", "--resume", last, "--steps", "4", "--lr", "0.01", "--depth", "3", "--batch-size", "2"])
        XCTAssertEqual(r.status, 1)
        for part in ["--lr 0.01 (the run has 0.001)", "--depth 3 (the run has 2)", "--batch-size 2 (the run has 1)"] {
            XCTAssertTrue(r.error.contains(part), r.error)
        }
        XCTAssertEqual(try bytes(run), before)
        // The run's own values, and the options that may change, are accepted.
        let same = try ToolRunner.run(["train", "--resume", last, "--steps", "4", "--depth", "2", "--lr", "0.001", "--threads", "1"])
        XCTAssertEqual(same.status, 0, same.error)
        XCTAssertEqual(try Checkpoint.read(from: last).training?.step, 4)
        let finished = try ToolRunner.run(["train", "--resume", last])
        XCTAssertEqual(finished.status, 1)
        XCTAssertTrue(finished.error.contains("already finished (step 4 of 4)"), finished.error)
    }

    func testEpochCounterAfterResumingAPartialEpoch() throws {
        let root = try makeDataset()
        let run = root + "/run"
        // 3 images of 40², outputs of 20²: 12 steps per epoch; 14 steps end a partial second epoch,
        // and extending to 18 ends a third.
        XCTAssertEqual(try ToolRunner.run(trainArguments(root, run) + ["--steps", "14", "--val-fraction", "0"]).status, 0)
        let r = try ToolRunner.run(["train", "--resume", run + "/last.safetensors", "--steps", "18"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.error.contains("epoch 3/3"), r.error)
        XCTAssertFalse(r.error.contains("epoch 3/2"), r.error)
    }

    // MARK: interrupted predict

    func testInterruptedPredictLeavesNoTemporariesAndCleansOldOnes() throws {
        let (root, model) = try makeModel()
        let many = try scratchDirectory("unet-many")
        let big = Image(width: 400, height: 400, channels: 1, samples: (0..<160_000).map { UInt8($0 % 251) })
        for k in 0..<40 { try big.write(to: "\(many)/m\(k).png") }
        let out = scratchPath("unet-many-out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: out + "/.m3.png.tmp-AbC123"))   // left by a killed run
        for signal in [SIGINT, SIGTERM] {
            let p = try FaultTests.Running(["predict", "--model", model, "--out", out, "--threads", "1", many])
            XCTAssertTrue(p.wait(seconds: 60) { FileManager.default.fileExists(atPath: out + "/m1.png") }, p.error)
            kill(p.process.processIdentifier, signal)
            p.process.waitUntilExit()
            XCTAssertEqual(p.process.terminationStatus, 128 + signal, p.error)
            XCTAssertTrue(p.error.contains("stopped after"), p.error)
            let hidden = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") }
            XCTAssertEqual(hidden.sorted(), [".unet-predict.json", ".unet.lock"], "signal \(signal)")
            for name in visibleFiles(out) { try FileManager.default.removeItem(atPath: out + "/" + name) }
        }
        _ = root
    }

    /// A signal during one large image stops it between tiles: it used to wait for the whole
    /// image (12 minutes for a 16000² one), then write it. Now nothing of that image is written.
    func testASignalStopsALargeImageBetweenTiles() throws {
        let (_, model) = try makeModel()
        let folder = try scratchDirectory("unet-large")
        let side = 2000
        try Image(width: side, height: side, channels: 1, samples: (0..<(side * side)).map { UInt8(($0 % side) * ($0 / side) % 256) })
            .write(to: folder + "/large.png")
        let out = scratchPath("unet-large-out")
        let p = try FaultTests.Running(["predict", "--model", model, "--out", out, "--threads", "1", folder + "/large.png"])
        XCTAssertTrue(p.wait(seconds: 60) { FileManager.default.fileExists(atPath: out + "/.unet-predict.json") }, p.error)
        usleep(1_500_000)   // decoded and into its tiles (the whole image takes several seconds here)
        kill(p.process.processIdentifier, SIGTERM)
        p.process.waitUntilExit()
        XCTAssertEqual(p.process.terminationStatus, 128 + SIGTERM, p.error)
        XCTAssertTrue(p.error.contains("stopped after 0 of 1 images"), p.error)
        XCTAssertEqual(visibleFiles(out), [], "no mask, no partial output")
        let hidden = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") }
        XCTAssertEqual(hidden.sorted(), [".unet-predict.json", ".unet.lock"], "no temporary file")
    }

    // MARK: bounds and mismatches

    func testTileAndMemoryBudgetAreBounded() throws {
        let (root, model) = try makeModel()
        let big = try ToolRunner.run(["predict", "--model", model, "--out", scratchPath("unet-tile"), "--tile", "100000", root + "/images"])
        XCTAssertEqual(big.status, 1)
        XCTAssertTrue(big.error.contains("--tile 100000") && big.error.contains("--memory-budget 1024 MB"), big.error)
        let budget = try ToolRunner.run(["predict", "--model", model, "--out", scratchPath("unet-tile"), "--memory-budget", "1000000000",
                                         root + "/images"])
        XCTAssertEqual(budget.status, 64)
        XCTAssertTrue(budget.error.contains("more than this machine's memory"), budget.error)
        let batch = try ToolRunner.run(["predict", "--model", model, "--out", scratchPath("unet-tile"), "--batch-tiles", "100000000",
                                        root + "/images"])
        XCTAssertEqual(batch.status, 1)
        XCTAssertTrue(batch.error.contains("lower --batch-tiles"), batch.error)
    }

    func testResumingOnColourDataIsRefusedBeforeAnyCompute() throws {
        let root = try makeDataset()
        let run = root + "/run"
        XCTAssertEqual(try ToolRunner.run(trainArguments(root, run) + ["--steps", "2", "--val-fraction", "0"]).status, 0)
        let colour = try makeDataset(rgb: true)
        let r = try ToolRunner.run(["train", "--resume", run + "/last.safetensors", "--steps", "4", "--data", colour])
        XCTAssertEqual(r.status, 1, r.error)
        XCTAssertTrue(r.error.contains("takes 1 channel(s) (gray), but the data has colour images"), r.error)
    }

    func testColourImagesForAGrayModelAreRefusedUnlessAsked() throws {
        let (_, model) = try makeModel()
        let colour = try makeDataset(rgb: true)
        let out = scratchPath("unet-colour")
        let refused = try ToolRunner.run(["predict", "--model", model, "--out", out, colour + "/images/i0.png"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.error.contains("i0.png") && refused.error.contains("--color-to-gray"), refused.error)
        XCTAssertEqual(visibleFiles(out), [])
        let converted = try ToolRunner.run(["predict", "--model", model, "--out", out, "--color-to-gray", colour + "/images/i0.png"])
        XCTAssertEqual(converted.status, 0, converted.error)
        XCTAssertTrue(converted.output.contains("converted to gray by luminance"), converted.output)
        // A colour file whose pixels are all gray is gray: no flag, no note.
        let neutral = try scratchDirectory("unet-neutral")
        let gray = try Image.read(contentsOf: colour + "/masks/i0.png")
        try gray.converted(toChannels: 3).write(to: neutral + "/n.png")
        let plain = try ToolRunner.run(["predict", "--model", model, "--out", out, neutral + "/n.png"])
        XCTAssertEqual(plain.status, 0, plain.error)
        XCTAssertFalse(plain.output.contains("note:"), plain.output)
    }

    func testNonFiniteWeightsStopTrainingWithoutSavingThem() throws {
        let root = try makeDataset()
        let run = root + "/run"
        let r = try ToolRunner.run(trainArguments(root, run) + ["--steps", "60", "--lr", "1e30", "--val-fraction", "0.34"])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.error.contains("training diverged"), r.error)
        for name in ["best.safetensors", "last.safetensors"] where FileManager.default.fileExists(atPath: run + "/" + name) {
            let checkpoint = try Checkpoint.read(from: run + "/" + name)
            for (tensorName, t) in checkpoint.tensors {
                XCTAssertTrue(t.scalars.allSatisfy { $0.isFinite }, "\(name): \(tensorName) holds non-finite values")
            }
        }
    }

    // MARK: option values and messages

    func testRuntimeErrorsNameThePathOnceWithoutUsage() throws {
        let root = try makeDataset()
        let missing = root + "/nope.safetensors"
        let predict = try ToolRunner.run(["predict", "--model", missing, "--out", root + "/out", root + "/images"])
        XCTAssertEqual(predict.status, 1)
        XCTAssertEqual(predict.error.components(separatedBy: missing).count, 2, predict.error)
        XCTAssertFalse(predict.error.contains("Usage:"), predict.error)
        let noImages = try ToolRunner.run(["predict", "--model", missing, "--out", root + "/out", root + "/masks/../nothing"])
        XCTAssertFalse(noImages.error.contains("Usage:"), noImages.error)
        let train = try ToolRunner.run(["train", "--data", root + "/nope", "--out", root + "/run", "--steps", "1"])
        XCTAssertEqual(train.status, 1)
        XCTAssertTrue(train.error.contains(root + "/nope: cannot list folder (no such folder)"), train.error)
        XCTAssertFalse(train.error.contains("Usage:"), train.error)
    }

    func testNegativeAndNonFiniteOptionValuesAreJudgedBeforeAnythingIsWritten() throws {
        let root = try makeDataset()
        let cases: [([String], String)] = [
            (["--lr", "-1"], "--lr must be a positive number (got -1.0)"),
            (["--class-weights", "-1,1"], "--class-weights must be"),
            (["--seed", "-3"], "'-3' is invalid for '--seed"),
            (["--dropout", "nan"], "--dropout must be in [0, 1) (got nan)"),
            (["--momentum", "nan"], "--momentum must be a finite number"),
            (["--weight-decay", "inf"], "--weight-decay must be a finite number"),
            (["--width-multiplier", "nan"], "--width-multiplier must be a finite number"),
            (["--class-weights", "inf,1"], "--class-weights must be"),
            (["--lr", "inf"], "--lr must be a positive number"),
            (["--epochs", "10000000"], "--epochs must be between 1 and 1000000"),
            (["--steps", "9223372036854775807"], "--steps must be between 1 and"),
        ]
        for (arguments, message) in cases {
            let run = scratchPath("unet-options")
            let budget = arguments.contains("--epochs") || arguments.contains("--steps") ? [] : ["--steps", "1"]
            let r = try ToolRunner.run(trainArguments(root, run) + budget + arguments, timeout: 60)
            XCTAssertEqual(r.status, 64, "\(arguments): \(r.error)")
            XCTAssertTrue(r.error.contains(message), "\(arguments): \(r.error)")
            XCTAssertFalse(r.error.contains("Missing value"), r.error)
            XCTAssertFalse(FileManager.default.fileExists(atPath: run), "\(arguments): the run folder was created")
        }
    }
}
