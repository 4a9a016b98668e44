import Foundation
import ImageCodecs
import Tensors
import Training
import XCTest
import TestSupport

/// Faults around the built tool: SIGTERM and Ctrl-C save `last` and exit with 143 and 130,
/// SIGKILL at random moments never leaves a broken `last`, and an unusable output folder or a
/// disk that fills up is reported with the file and the reason.
final class FaultTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// A running `unet`, its output going to files (read while it runs).
    final class Running {
        let process = Process()
        let errPath = NSTemporaryDirectory() + "unet-err-\(UUID().uuidString)"
        init(_ arguments: [String]) throws {
            guard let executable = ToolRunner.executable else { throw XCTSkip("the unet executable was not built beside the tests") }
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            FileManager.default.createFile(atPath: errPath, contents: nil)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            try process.run()
        }
        deinit { try? FileManager.default.removeItem(atPath: errPath) }
        var error: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
        /// Polls until `condition` holds or `seconds` pass; false if the process ended first.
        func wait(seconds: Double, until condition: () -> Bool) -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end && process.isRunning {
                if condition() { return true }
                usleep(10_000)
            }
            return condition() && process.isRunning
        }
    }

    func makeDataset(count: Int = 3) throws -> String {
        let root = scratchPath("unet-faults")
        try FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/masks", withIntermediateDirectories: true)
        var rng = SeededGenerator(seed: 4)
        for k in 0..<count {
            let img = (0..<1600).map { _ in UInt8(rng.next() % 256) }
            try Image(width: 40, height: 40, channels: 1, samples: img).write(to: "\(root)/images/i\(k).png")
            try Image(width: 40, height: 40, channels: 1, samples: img.map { $0 > 128 ? 255 : 0 }).write(to: "\(root)/masks/i\(k).png")
        }
        return root
    }

    func common(_ root: String, _ run: String) -> [String] {
        ["--data", root, "--out", run, "--depth", "2", "--width", "8", "--patch-size", "60", "--batch-size", "2",
         "--threads", "1", "--seed", "2", "--val-fraction", "0", "--disable", "elastic"]
    }

    /// The step in "stopped at step N; saved …".
    func stoppedStep(_ text: String) -> Int? {
        guard let r = text.range(of: "stopped at step ") else { return nil }
        return Int(text[r.upperBound...].prefix { $0.isNumber })
    }

    func testSIGTERMAndCtrlCSaveLastAndResume() throws {
        let root = try makeDataset()
        let run = root + "/run"
        let last = run + "/last.safetensors"
        let term = try Running(["train"] + common(root, run) + ["--epochs", "1000"])
        XCTAssertTrue(term.wait(seconds: 60) { FileManager.default.fileExists(atPath: last) }, term.error)
        term.process.terminate()  // SIGTERM
        term.process.waitUntilExit()
        XCTAssertEqual(term.process.terminationReason, .exit)
        XCTAssertEqual(term.process.terminationStatus, 143, term.error)
        let step = try XCTUnwrap(stoppedStep(term.error), term.error)
        XCTAssertEqual(try Checkpoint.read(from: last).training?.step, step)

        // Resume, then Ctrl-C (SIGINT) once training runs: 130, and last moved on.
        let int = try Running(["train", "--resume", last, "--epochs", "1000"])
        XCTAssertTrue(int.wait(seconds: 60) { int.error.contains("training ") }, int.error)
        int.process.interrupt()
        int.process.waitUntilExit()
        XCTAssertEqual(int.process.terminationReason, .exit)
        XCTAssertEqual(int.process.terminationStatus, 130, int.error)
        let step2 = try XCTUnwrap(stoppedStep(int.error), int.error)
        XCTAssertGreaterThanOrEqual(step2, step)
        XCTAssertEqual(try Checkpoint.read(from: last).training?.step, step2)

        // And the saved state finishes a short extension normally.
        let finish = try ToolRunner.run(["train", "--resume", last, "--steps", String(step2 + 2)])
        XCTAssertEqual(finish.status, 0, finish.error)
        XCTAssertTrue(finish.output.contains("resuming \(last) at step \(step2)"), finish.output)
        XCTAssertEqual(try Checkpoint.read(from: last).training?.step, step2 + 2)
    }

    /// SIGKILL at seeded random moments of a run that saves every step: after each kill, `last`
    /// (when present) is a valid checkpoint, and the only other files are the run's files and
    /// hidden temporaries, which the next start removes.
    func testSIGKILLAtRandomMomentsLeavesAValidLast() throws {
        let root = try makeDataset(count: 2)  // 2 images, batch 2: one step per epoch, a save per step
        let run = root + "/run"
        let last = run + "/last.safetensors"
        let runFiles: Set = ["last.safetensors", "metrics.csv", "curves.png", "options.json", ".unet.lock"]
        var rng = SeededGenerator(seed: 2024)
        var kills = 0, stepsSeen: [Int] = []
        for _ in 0..<5 {
            let resume = FileManager.default.fileExists(atPath: last)
            let p = try Running(resume ? ["train", "--resume", last, "--epochs", "100000"]
                                       : ["train"] + common(root, run) + ["--epochs", "100000"])
            XCTAssertTrue(p.wait(seconds: 60) { p.error.contains("training ") }, p.error)
            usleep(UInt32(50_000 + rng.next() % 700_000))  // 0.05–0.75 s into training
            kill(p.process.processIdentifier, SIGKILL)
            p.process.waitUntilExit()
            XCTAssertEqual(p.process.terminationReason, .uncaughtSignal)
            kills += 1
            for name in try FileManager.default.contentsOfDirectory(atPath: run) where !runFiles.contains(name) {
                XCTAssertTrue(runFiles.contains { name.hasPrefix(".\($0).tmp-") }, "unexpected file \(name)")
            }
            if FileManager.default.fileExists(atPath: last) {
                let checkpoint = try Checkpoint.read(from: last)
                stepsSeen.append(try XCTUnwrap(checkpoint.training?.step))
            }
        }
        XCTAssertEqual(kills, 5)
        XCTAssertEqual(stepsSeen, stepsSeen.sorted(), "each resumed run continues from the last save")
        // A normal start removes leftover temporaries.
        let step = try XCTUnwrap(stepsSeen.last)
        let finish = try ToolRunner.run(["train", "--resume", last, "--steps", String(step + 1)])
        XCTAssertEqual(finish.status, 0, finish.error)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: run)), runFiles)
    }

    func testUnwritableOutputAndFullDiskAreReported() throws {
        let root = try makeDataset(count: 2)
        let file = root + "/a-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let train = try ToolRunner.run(["train"] + common(root, file + "/run") + ["--steps", "1"])
        XCTAssertEqual(train.status, 1)
        XCTAssertTrue(train.error.contains("\(file)/run: cannot write file (cannot create the output folder: \(file) is a file, not a folder)"), train.error)

        // A disk that fills up while last.safetensors is rewritten (the file-size limit of
        // `ulimit -f` fails writes as a full disk does): the error names the file, the previous
        // checkpoint stays as it was.
        let run = root + "/run"
        XCTAssertEqual(try ToolRunner.run(["train"] + common(root, run) + ["--steps", "1"]).status, 0)
        let last = run + "/last.safetensors"
        let before = try Data(contentsOf: URL(fileURLWithPath: last))
        guard let executable = ToolRunner.executable else { throw XCTSkip("no unet executable") }
        let blocks = before.count / 512 / 2  // half the checkpoint, in 512-byte blocks
        let full = try ToolRunner.run(["-c", "trap '' XFSZ; ulimit -f \(blocks); exec \"$0\" \"$@\"", executable,
                                       "train", "--resume", last, "--steps", "2"], executable: "/bin/sh")
        XCTAssertEqual(full.status, 1, full.error)
        XCTAssertTrue(full.error.contains("\(last): cannot write (writing the temporary file; any previous file is unchanged): File too large"),
                      full.error)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: last)), before)
    }

    func testImpossibleOptionCombinationsAreRefusedUpFront() throws {
        for (arguments, expected) in [(["--epochs", "2", "--steps", "5"], "give either --epochs or --steps"),
                                      (["--images", "/x"], "--images and --masks go together"),
                                      (["--data", "/x", "--images", "/x", "--masks", "/y"], "give either --data or --images/--masks"),
                                      (["--weight-map", "--class-weights", "auto"], "--weight-map already weights classes"),
                                      (["--loss", "lovasz", "--weight-map"], "--loss lovasz has no cross-entropy term for --weight-map"),
                                      (["--loss", "dice", "--class-weights", "auto"], "--loss dice has no cross-entropy term for --class-weights")] {
            let r = try ToolRunner.run(["train"] + arguments)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.error.contains(expected), r.error)
        }
        for (arguments, expected) in [(["predict", "--model", "m", "--out", "o", "x.png", "--flip-average", "--tta", "dihedral"],
                                       "--flip-average means --tta flips; it contradicts --tta dihedral"),
                                      (["evaluate", "--pred", "p", "--masks", "m", "--tta", "flips"], "--tta and --flip-average need --model")] {
            let r = try ToolRunner.run(arguments)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.error.contains(expected), r.error)
        }
    }
}
