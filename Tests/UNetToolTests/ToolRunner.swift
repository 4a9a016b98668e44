import Foundation
import XCTest

/// Runs the built `unet` executable (found beside the test bundle) and captures its output.
enum ToolRunner {
    static var executable: String? {
        var dir = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("unet").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        for b in Bundle.allBundles {
            let candidate = b.bundleURL.deletingLastPathComponent().appendingPathComponent("unet").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    struct Result {
        let status: Int32
        let output: String
        let error: String
        /// True when the process ran past its deadline and was killed.
        var timedOut = false
        /// True when it ended by a signal (a crash, or the kill at the deadline).
        var signalled = false
    }

    /// Runs `unet` (or `executable`, e.g. a shell wrapping it) with `arguments` (and `environment`
    /// added to this process's). With
    /// `timeout`, a process still running after that many seconds is killed (SIGKILL), so that
    /// a test of something that used to hang fails instead of hanging forever.
    static func run(_ arguments: [String], in directory: String? = nil, executable program: String? = nil,
                    timeout: Double? = nil, environment extra: [String: String] = [:]) throws -> Result {
        guard let executable else { throw XCTSkip("the unet executable was not built beside the tests") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program ?? executable)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "100"
        env.merge(extra) { $1 }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        final class Flag: @unchecked Sendable { var value = false }
        let killed = Flag()
        if let timeout {
            let pid = p.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if p.isRunning { killed.value = true; kill(pid, SIGKILL) }
            }
        }
        // Read both pipes while the process runs, so a full pipe cannot block it.
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let outData = outBox.data
        p.waitUntilExit()
        return Result(status: p.terminationStatus, output: String(decoding: outData, as: UTF8.self), error: String(decoding: errData, as: UTF8.self),
                      timedOut: killed.value, signalled: p.terminationReason == .uncaughtSignal)
    }
}
