import Foundation
import ImageCodecs
import XCTest
import TestSupport

/// `--threads` is bounded (1...1024) before any work: libgomp crashed on `--threads 100000000`,
/// and a checkpoint's stored thread count is held to the same bound.
final class ThreadCountTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testAbsurdThreadCountsAreUsageErrors() throws {
        let dir = try scratchDirectory("threads")
        let model = dir + "/m.safetensors"
        try TinyCheckpoint.write(to: model)
        try Image(width: 8, height: 8, channels: 1, samples: [UInt8](repeating: 7, count: 64)).write(to: dir + "/a.png")
        for n in ["100000000", "0", "1025"] {
            for arguments in [["predict", "--model", model, "--out", dir + "/out", dir + "/a.png"],
                              ["train", "--data", dir, "--out", dir + "/run"],
                              ["bench", "--width", "2", "--depth", "1"]] {
                let r = try ToolRunner.run(arguments + ["--threads", n], timeout: 120)
                XCTAssertFalse(r.signalled, "crashed: \(r.error)")
                XCTAssertEqual(r.status, 64, "\(arguments[0]) --threads \(n): \(r.error)")
                XCTAssertTrue(r.error.contains("Error: --threads must be between 1 and 1024 (got \(n))"), r.error)
            }
        }
        let ok = try ToolRunner.run(["predict", "--model", model, "--out", dir + "/out", dir + "/a.png", "--threads", "3"], timeout: 120)
        XCTAssertEqual(ok.status, 0, ok.error)
    }

    /// `--workers` (data threads of `train`) is bounded the same way, before any work.
    func testAbsurdDataWorkerCountsAreUsageErrors() throws {
        let dir = try scratchDirectory("workers")
        for n in ["0", "65", "100000000"] {
            let r = try ToolRunner.run(["train", "--data", dir, "--out", dir + "/run", "--workers", n], timeout: 120)
            XCTAssertFalse(r.signalled, "crashed: \(r.error)")
            XCTAssertEqual(r.status, 64, "--workers \(n): \(r.error)")
            XCTAssertTrue(r.error.contains("Error: --workers must be between 1 and 64 (got \(n))"), r.error)
        }
    }

    /// Without `--threads` the tool uses the cores this process may use: bound to one CPU
    /// (`taskset`, a batch scheduler, `mpirun --bind-to core`), it computes with one thread
    /// instead of oversubscribing the bound core with one per core of the machine.
    func testDefaultThreadsFollowTheAffinityMask() throws {
        let taskset = "/usr/bin/taskset"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: taskset), "no taskset")
        guard let unet = ToolRunner.executable else { throw XCTSkip("the unet executable was not built beside the tests") }
        let info = try ToolRunner.run(["-c", "0", unet, "info", "--devices"], executable: taskset, timeout: 60)
        XCTAssertEqual(info.status, 0, info.error)
        XCTAssertTrue(info.output.contains(", 1 usable cores of "), info.output)
        let bench = try ToolRunner.run(["-c", "0", unet, "bench", "--depth", "1", "--width", "8", "--size", "20", "--steps", "1",
                                        "--warmup", "0", "--no-sgemm", "--json"], executable: taskset, timeout: 120)
        XCTAssertEqual(bench.status, 0, bench.error)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.output.utf8)) as? [String: Any])
        XCTAssertEqual(report["threads"] as? Int, 1, bench.output)
    }

    /// A core kept busy by another process is left to it: bound to CPUs 0 and 1 with a busy loop on
    /// CPU 1, the tool computes with one thread and says why.
    func testDefaultThreadsLeaveABusyCoreAlone() throws {
        let taskset = "/usr/bin/taskset"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: taskset), "no taskset")
        try XCTSkipUnless(ProcessInfo.processInfo.processorCount >= 2, "one CPU")
        guard let unet = ToolRunner.executable else { throw XCTSkip("the unet executable was not built beside the tests") }
        let busy = Process()
        busy.executableURL = URL(fileURLWithPath: taskset)
        busy.arguments = ["-c", "1", "/bin/sh", "-c", "while :; do :; done"]
        try busy.run()
        defer { busy.terminate(); busy.waitUntilExit() }
        Thread.sleep(forTimeInterval: 0.3)
        let bench = try ToolRunner.run(["-c", "0,1", unet, "bench", "--depth", "1", "--width", "8", "--size", "20", "--steps", "1",
                                        "--warmup", "0", "--no-sgemm", "--json"], executable: taskset, timeout: 120)
        XCTAssertEqual(bench.status, 0, bench.error)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.output.utf8)) as? [String: Any])
        XCTAssertEqual(report["threads"] as? Int, 1, bench.output)
        XCTAssertTrue(bench.error.contains("1 of 2 usable cores are busy with other processes; computing with 1 thread"), bench.error)
        let given = try ToolRunner.run(["-c", "0,1", unet, "bench", "--depth", "1", "--width", "8", "--size", "20", "--steps", "1",
                                        "--warmup", "0", "--no-sgemm", "--json", "--threads", "2"], executable: taskset, timeout: 120)
        let explicit = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(given.output.utf8)) as? [String: Any])
        XCTAssertEqual(explicit["threads"] as? Int, 2, "--threads wins")
        XCTAssertFalse(given.error.contains("busy with other processes"), given.error)
    }

    /// The weights depend on the thread count, so a training run that left a busy core alone
    /// stores its count: the resume computes with it again, whatever the load then.
    func testATrainingRunStoresTheCountItChoseBesideABusyCore() throws {
        let taskset = "/usr/bin/taskset"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: taskset), "no taskset")
        try XCTSkipUnless(ProcessInfo.processInfo.processorCount >= 2, "one CPU")
        guard let unet = ToolRunner.executable else { throw XCTSkip("the unet executable was not built beside the tests") }
        let data = try noiseDataset("unet-busy-threads", seed: 5)
        let run = try scratchDirectory("busy-threads") + "/run"
        let busy = Process()
        busy.executableURL = URL(fileURLWithPath: taskset)
        busy.arguments = ["-c", "1", "/bin/sh", "-c", "while :; do :; done"]
        try busy.run()
        Thread.sleep(forTimeInterval: 0.3)
        let trained = try ToolRunner.run(["-c", "0,1", unet, "train", "--data", data, "--out", run, "--width", "4", "--depth", "1",
                                          "--steps", "2", "--no-plan"], executable: taskset, timeout: 300)
        busy.terminate(); busy.waitUntilExit()
        XCTAssertEqual(trained.status, 0, trained.error)
        XCTAssertTrue((trained.output + trained.error).contains(" 1 threads,"), trained.output + trained.error)
        let options = try String(contentsOfFile: run + "/options.json", encoding: .utf8)
        XCTAssertTrue(options.replacingOccurrences(of: " ", with: "").contains("\"threads\":1"), options)
        let resumed = try ToolRunner.run(["-c", "0,1", unet, "train", "--resume", run + "/last.safetensors", "--steps", "3"],
                                         executable: taskset, timeout: 300)
        XCTAssertEqual(resumed.status, 0, resumed.error)
        XCTAssertTrue((resumed.output + resumed.error).contains(" 1 threads,"),
                      "the resume keeps the stored count, with both cores idle:\n\(resumed.output)\n\(resumed.error)")
        XCTAssertFalse(resumed.error.contains("busy with other processes"), resumed.error)
    }
}
