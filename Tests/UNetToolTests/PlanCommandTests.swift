import Foundation
import ImageCodecs
import SafeTensors
import Datasets
import Tensors
import TestSupport
import Training
import XCTest

/// `unet plan` and `unet train --plan`: the plan is measured from the data, written without
/// replacing anything else, applied with the command line winning, and kept with the run.
final class PlanCommandTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func makeDataset() throws -> String { try noiseDataset("unet-plan", seed: 4) }

    func plan(_ root: String, out: String, _ extra: [String] = []) throws -> ToolRunner.Result {
        try ToolRunner.run(["plan", "--data", root, "--budget", "20s", "--memory", "4096", "--threads", "1", "--out", out] + extra,
                           timeout: 300)
    }

    func testPlanThenTrainWithIt() throws {
        let root = try makeDataset()
        let planPath = root + "-plan.json"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: planPath) }
        let r = try plan(root, out: planPath)
        XCTAssertEqual(r.status, 0, r.error)
        for field in ["normalize", "depth", "patch-size", "loss", "sampling", "oversample", "width", "steps"] { XCTAssertTrue(r.output.contains(field), r.output) }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: planPath))) as! [String: Any]
        let fingerprint = json["fingerprint"] as! [String: Any]
        XCTAssertEqual(fingerprint["imageCount"] as? Int, 2, "the validation image (a 0.2 share of 3, rounded up) is left out")
        XCTAssertEqual(fingerprint["bitDepth"] as? Int, 8)
        XCTAssertEqual(json["normalize"] as? String, "dataset", "uniform noise images of one brightness")
        XCTAssertNotNil(json["measuredStepSeconds"] as? Double, "a step was timed in a bench process")
        XCTAssertEqual((json["decisions"] as! [Any]).count, 12)
        XCTAssertEqual(json["sampling"] as? String, "image", "images of one size")

        let run = root + "/run"
        let t = try ToolRunner.run(["train", "--data", root, "--plan", planPath, "--width", "4", "--steps", "2", "--val-fraction", "0",
                                    "--threads", "1", "--out", run])
        XCTAssertEqual(t.status, 0, t.error)
        XCTAssertTrue(t.output.contains("plan \(planPath): normalize dataset"), t.output)
        XCTAssertTrue(t.output.contains("overridden by the command line: --width, --steps"), t.output)
        let options = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/options.json"))) as! [String: Any]
        XCTAssertEqual((options["model"] as! [String: Any])["baseWidth"] as? Int, 4, "the command line wins")
        XCTAssertEqual(options["patchSize"] as? Int, json["patchSize"] as? Int, "the plan's patch")
        XCTAssertEqual((options["plan"] as! [String: Any])["width"] as? Int, json["width"] as? Int, "the plan is kept as written")
        let stored = try SafeTensorsFile(contentsOf: run + "/last.safetensors").metadata["unet.run"] ?? ""
        XCTAssertTrue(stored.contains("\"fingerprint\""), "the checkpoint carries the plan")

        // Resuming restores the plan's choices; a new plan cannot be given to a resumed run.
        let resumed = try ToolRunner.run(["train", "--resume", run + "/last.safetensors", "--steps", "3", "--threads", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        let again = try ToolRunner.run(["train", "--resume", run + "/last.safetensors", "--steps", "4", "--plan", planPath])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.error.contains("a resumed run keeps the plan it started with"), again.error)
    }

    func testPlanNeverReplacesWhatIsNotAPlan() throws {
        let root = try makeDataset()
        let image = root + "/images/i0.png"
        let before = try Data(contentsOf: URL(fileURLWithPath: image))
        let intoData = try plan(root, out: image)
        XCTAssertNotEqual(intoData.status, 0)
        XCTAssertTrue(intoData.error.contains("--out"), intoData.error)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: image)), before)

        let other = scratchPath("unet-notes", suffix: ".txt")
        try Data("my notes\n".utf8).write(to: URL(fileURLWithPath: other))
        let r = try plan(root, out: other)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("is not a plan written by unet plan"), r.error)
        XCTAssertEqual(try String(contentsOfFile: other, encoding: .utf8), "my notes\n")
    }

    func testBudgetsAreReadOrRefused() throws {
        let root = try makeDataset()
        // 1e99 used to time candidates for a minute and then trap converting the step count.
        for bad in ["1h30x", "0", "-5m", "m", "1e99", "inf", "nan", "31d", "99999999h", "1h1h", "0.2s"] {
            let r = try ToolRunner.run(["plan", "--data", root, "--budget=" + bad, "--out", root + "-x.json"], timeout: 30)
            XCTAssertEqual(r.status, 64, "\(bad): \(r.error)")
            XCTAssertFalse(r.signalled || r.timedOut, bad)
            XCTAssertTrue(r.error.contains("--budget") && r.error.contains("a duration looks like 90s, 45m, 2h"), r.error)
            let t = try ToolRunner.run(["train", "--data", root, "--budget=" + bad, "--out", root + "/r"], timeout: 30)
            XCTAssertEqual(t.status, 64, "train \(bad): \(t.error)")
        }
        XCTAssertTrue(try ToolRunner.run(["plan", "--data", root, "--budget", "1e99", "--out", root + "-x.json"]).error.contains("'1e99' is not a duration"))
        XCTAssertTrue(try ToolRunner.run(["plan", "--data", root, "--budget", "31d", "--out", root + "-x.json"]).error.contains("'31d' is over 30 days"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "-x.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/r"))
    }

    /// An output that cannot be written is refused before the data is measured or steps timed
    /// (it used to time candidates for half a minute and then fail on the missing folder).
    func testUnwritableOutputIsRefusedBeforeAnyWork() throws {
        let root = try makeDataset()
        let file = scratchPath("unet-plan-file", suffix: ".txt")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        for (out, expected) in [(root + "-missing/sub/p.json", "the folder \(root)-missing/sub does not exist"),
                                (file + "/p.json", "\(file) is not a folder")] {
            let r = try ToolRunner.run(["plan", "--data", root, "--budget", "20s", "--out", out], timeout: 60)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.error.contains("--out \(out): cannot be written: \(expected)"), r.error)
            XCTAssertFalse(r.output.contains("timing width") || r.output.contains("measur"), r.output)
        }
        // train measures its data for a plan before the Trainer creates its folder: that folder
        // is checked first.
        let t = try ToolRunner.run(["train", "--data", root, "--out", file + "/run", "--steps", "1"], timeout: 60)
        XCTAssertNotEqual(t.status, 0)
        XCTAssertTrue(t.error.contains("\(file)/run: cannot write file (cannot create the output folder: \(file) is a file, not a folder)"), t.error)
        XCTAssertFalse(t.output.contains("images measured") || t.error.contains("images measured"), t.output + t.error)
    }

    func testHostilePlansAreRefusedByName() throws {
        let root = try makeDataset()
        let path = scratchPath("unet-hostile-plan", suffix: ".json")
        for (content, expected) in [("{\"normalize\": 3}", "is not a plan written by unet plan"), ("not json", "is not a plan written by unet plan")] {
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
            let r = try ToolRunner.run(["train", "--data", root, "--plan", path, "--steps", "1", "--out", root + "/r"])
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.error.contains(expected) && r.error.contains(path), r.error)
        }
        // A well-formed plan with a value no run can use.
        let good = root + "-good.json"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: good) }
        XCTAssertEqual(try plan(root, out: good).status, 0)
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: good))) as! [String: Any]
        json["depth"] = 99
        json["steps"] = 0
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let r = try ToolRunner.run(["train", "--data", root, "--plan", path, "--out", root + "/r"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("has values no run can use: steps 0; depth 99"), r.error)
    }

    /// Without --plan, train measures its data and plans on the fly (no --budget: nothing is
    /// timed, width and length are the given ones); --no-plan keeps the fixed defaults.
    /// A plan of `root`'s data made in this process (nothing timed), as JSON to edit.
    func planJSON(_ root: String) throws -> [String: Any] {
        var options = TrainingOptions()
        options.dataRoot = root
        let fingerprint = try DatasetFingerprint.measure(try PreparedData.load(options, inferClasses: true))
        var plan = try Planner(budgetSeconds: nil, memoryBytes: 1e9) { _, _, _ in nil }.plan(fingerprint)
        plan.steps = 2
        return try JSONSerialization.jsonObject(with: JSONEncoder().encode(plan)) as! [String: Any]
    }

    /// A plan is compared with the data it is applied to: other channels or classes stop the run
    /// before anything is written, other intensities are a warning; a plan whose steps are null
    /// used to train the default 50 epochs without a word.
    func testPlansAreComparedWithTheData() throws {
        let gray = try makeDataset()
        let path = scratchPath("unet-plan-fit", suffix: ".json")
        func train(_ json: [String: Any], data: String, _ extra: [String] = []) throws -> ToolRunner.Result {
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
            return try ToolRunner.run(["train", "--data", data, "--plan", path, "--width", "4", "--threads", "1", "--val-fraction", "0",
                                       "--out", data + "/run-\(UUID().uuidString.prefix(6))"] + extra, timeout: 120)
        }
        let plan = try planJSON(gray)
        var nullSteps = plan
        nullSteps["steps"] = NSNull()
        let null = try train(nullSteps, data: gray)
        XCTAssertNotEqual(null.status, 0)
        XCTAssertTrue(null.error.contains("--plan \(path) has values no run can use: steps null (give a number of steps, or --steps/--epochs"), null.error)
        XCTAssertEqual(try train(nullSteps, data: gray, ["--steps", "1"]).status, 0, "the command line gives the length")

        let rgb = try scratchDirectory("unet-plan-rgb", subfolders: ["images", "masks"])
        var rng = SeededGenerator(seed: 9)
        for k in 0..<3 {
            let pixels = (0..<(40 * 40 * 3)).map { _ in UInt8(rng.next() % 256) }
            try Image(width: 40, height: 40, channels: 3, samples: pixels).write(to: "\(rgb)/images/c\(k).png")
            try Image(width: 40, height: 40, channels: 1, samples: (0..<1600).map { UInt8($0 % 2 * 255) }).write(to: "\(rgb)/masks/c\(k).png")
        }
        let colour = try train(plan, data: rgb)
        XCTAssertNotEqual(colour.status, 0)
        XCTAssertTrue(colour.error.contains("--plan \(path) does not fit this data: it was made for 1-channel images and the data has 3"), colour.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: rgb).filter { $0.hasPrefix("run-") }, [], "nothing written")

        var edited = plan
        var fingerprint = edited["fingerprint"] as! [String: Any]
        var classes = fingerprint["classes"] as! [Any]
        classes.append(classes[0])
        fingerprint["classes"] = classes
        edited["fingerprint"] = fingerprint
        let classCount = try train(edited, data: gray)
        XCTAssertNotEqual(classCount.status, 0)
        XCTAssertTrue(classCount.error.contains("it was made for 3 classes and the data has 2"), classCount.error)

        var brighter = plan
        fingerprint = brighter["fingerprint"] as! [String: Any]
        var intensities = fingerprint["intensities"] as! [[String: Any]]
        intensities[0]["mean"] = 0.95
        fingerprint["intensities"] = intensities
        brighter["fingerprint"] = fingerprint
        let warned = try train(brighter, data: gray)
        XCTAssertEqual(warned.status, 0, warned.error)
        XCTAssertTrue(warned.error.contains("warning: --plan \(path) was made for images of mean intensity 0.950 in channel 0"), warned.error)
        XCTAssertFalse(try train(plan, data: gray).error.contains("warning: --plan"), "the plan of this data fits it")
    }

    func testTrainPlansByDefault() throws {
        let root = try makeDataset()
        let common = ["train", "--data", root, "--width", "4", "--steps", "2", "--val-fraction", "0", "--threads", "1"]
        let planned = try ToolRunner.run(common + ["--out", root + "/planned", "--oversample", "0.5"])
        XCTAssertEqual(planned.status, 0, planned.error)
        XCTAssertTrue(planned.output.contains("plan (made from the data; --no-plan for the fixed defaults): normalize dataset"), planned.output)
        XCTAssertTrue(planned.output.contains("overridden by the command line: --oversample"), planned.output)
        XCTAssertFalse(planned.output.contains("timing width"), "no budget: nothing timed")
        let options = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/planned/options.json"))) as! [String: Any]
        let plan = try XCTUnwrap(options["plan"] as? [String: Any], "the plan is kept with the run")
        XCTAssertEqual(options["patchSize"] as? Int, plan["patchSize"] as? Int)
        XCTAssertEqual(options["steps"] as? Int, 2)
        XCTAssertEqual(options["oversample"] as? Double, 0.5, "the command line wins")
        XCTAssertEqual(options["averageWeights"] as? Bool, true)

        let fixed = try ToolRunner.run(common + ["--out", root + "/fixed", "--no-plan", "--no-ema"])
        XCTAssertEqual(fixed.status, 0, fixed.error)
        XCTAssertFalse(fixed.output.contains("plan "), fixed.output)
        let fixedOptions = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/fixed/options.json"))) as! [String: Any]
        XCTAssertNil(fixedOptions["plan"])
        XCTAssertEqual(fixedOptions["averageWeights"] as? Bool, false)
        XCTAssertFalse(try SafeTensorsFile(contentsOf: root + "/fixed/last.safetensors").names.contains { $0.hasPrefix("training.") })

        for (extra, expected) in [(["--no-plan", "--plan", "p.json"], "either --plan or --no-plan"),
                                  (["--no-plan", "--budget", "1m"], "does not go with --no-plan"),
                                  (["--memory", "512", "--batch-size", "64"], "over --memory 512 MiB; what fits: --batch-size "),
                                  (["--oversample", "1.5"], "--oversample must be in [0, 1]")] {
            let r = try ToolRunner.run(common + ["--out", root + "/refused"] + extra)
            XCTAssertNotEqual(r.status, 0, "\(extra)")
            XCTAssertTrue(r.error.contains(expected), r.error)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/refused"))
    }

    /// A batch or patch that cannot fit is refused before anything is read or written, with
    /// what fits: these used to abort in the allocator after the run folder existed, or to
    /// start training towards memory exhaustion.
    func testTrainingMemoryIsEstimatedUpFront() throws {
        let root = try makeDataset()
        let run = root + "/run"
        for (extra, expected) in [(["--batch-size", "1000000000000"], "batch 1000000000000 of"),
                                  (["--patch-size", "1000000000"], "of 1000000000×1000000000 patches"),
                                  (["--patch-size", "60004"], "of 60004×60004 patches"),
                                  (["--batch-size", "100000", "--patch-size", "572"], "batch 100000 of 572×572 patches")] {
            let r = try ToolRunner.run(["train", "--data", root, "--out", run, "--no-plan", "--steps", "1"] + extra, timeout: 60)
            XCTAssertEqual(r.status, 64, "\(extra): \(r.error)")
            XCTAssertTrue(r.error.contains(expected) && r.error.contains("to train this network (an estimate), over this machine's"), r.error)
            XCTAssertTrue(r.error.contains("what fits: "), r.error)
            XCTAssertFalse(FileManager.default.fileExists(atPath: run), "\(extra): nothing written")
        }
        // The size it suggests is accepted.
        let r = try ToolRunner.run(["train", "--data", root, "--out", run, "--no-plan", "--steps", "1", "--memory", "300", "--batch-size", "64",
                                    "--width", "8", "--depth", "2"])
        let suggestion = try XCTUnwrap(r.error.components(separatedBy: "what fits: --batch-size ").last?.split(separator: " ").first.flatMap { Int($0) }, r.error)
        XCTAssertGreaterThan(suggestion, 0)
        let accepted = try ToolRunner.run(["train", "--data", root, "--out", run, "--no-plan", "--steps", "1", "--memory", "300", "--batch-size",
                                           "\(suggestion)", "--width", "8", "--depth", "2", "--threads", "1", "--disable", "elastic", "--patch-size", "60"])
        XCTAssertEqual(accepted.status, 0, accepted.error)

        // The same from a plan file.
        var options = TrainingOptions()
        options.dataRoot = root
        var plan = try Planner(budgetSeconds: nil, memoryBytes: 1e9) { _, _, _ in nil }
            .plan(try DatasetFingerprint.measure(try PreparedData.load(options, inferClasses: true)))
        plan.steps = 1
        plan.batchSize = 1_000_000_000_000
        let path = scratchPath("unet-huge-plan", suffix: ".json")
        try JSONEncoder().encode(plan).write(to: URL(fileURLWithPath: path))
        let planned = try ToolRunner.run(["train", "--data", root, "--out", root + "/planned", "--plan", path], timeout: 60)
        XCTAssertEqual(planned.status, 64, planned.error)
        XCTAssertTrue(planned.error.contains("batch 1000000000000 of"), planned.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/planned"))
    }
}
