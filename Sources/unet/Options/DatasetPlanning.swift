import Datasets
import Foundation
import NN
import Training

/// Measuring a dataset and planning its training: `unet plan`, and `unet train` when it is
/// given no plan file.
enum DatasetPlanning {
    /// The fingerprint of `options`' training data and the plan derived from it, with the data
    /// as prepared for it (the split, classes and encoding a run of `options` uses). With a
    /// `budget`, the candidate widths' step times are measured in `unet bench` processes (each
    /// announced through `say`); without one, nothing is timed and width and length stay the
    /// defaults. `quietProgress` leaves out the per-image progress (ranks other than 0).
    static func plan(_ options: TrainingOptions, inferClasses: Bool, budget: Double?, memoryMB: Int?, compute: ComputeOptions,
                     quietProgress: Bool = false, say: @escaping (String) -> Void) throws -> (plan: TrainingPlan, data: PreparedData, timings: Int) {
        let prepared = try PreparedData.load(options, inferClasses: inferClasses)
        let progress = quietProgress ? nil : CountProgress(total: prepared.train.count, noun: "images measured")
        let fingerprint = try DatasetFingerprint.measure(prepared) { progress?.update($0) }
        let memory = memoryMB ?? (PhysicalMemory.megabytes.map { $0 / 2 } ?? 4096)
        var timed = 0
        let planner = Planner(budgetSeconds: budget, memoryBytes: Double(memory) * 1_048_576) { c, patch, batch in
            timed += 1
            say("timing width \(c.baseWidth), patch \(patch), batch \(batch) …")
            return try measureStep(c, patch: patch, batch: batch, compute: compute)
        }
        var base = UNetConfiguration.defaultForTraining
        base.depth = options.model.depth
        base.baseWidth = options.model.baseWidth
        let plan = try planner.plan(fingerprint, base: base)
        return (plan, prepared, timed)
    }

    /// One training step of the candidate, timed in a `unet bench` process of its own (its peak
    /// memory is then the candidate's alone); nil when the network cannot take the patch.
    static func measureStep(_ c: UNetConfiguration, patch: Int, batch: Int, compute: ComputeOptions) throws -> Planner.StepCost? {
        guard c.isValidInput(patch) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = ["bench", "--json", "--only", "train", "--no-sgemm", "--warmup", "1", "--steps", "3",
                         "--depth", "\(c.depth)", "--width", "\(c.baseWidth)", "--padding", c.padding.rawValue,
                         "--block", c.block.rawValue, "--classes", "\(c.classes)", "--channels", "\(c.inputChannels)",
                         "--size", "\(patch)", "--batch-size", "\(batch)", "--device", compute.device.description,
                         "--precision", compute.precision.rawValue]   // timed as it will train
        if let t = compute.threads { arguments += ["--threads", "\(t)"] }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: output) as? [String: Any],
              let ms = json["train_step_ms"] as? Double, let rss = json["peak_rss_mb"] as? Double else { return nil }
        return Planner.StepCost(seconds: ms / 1000, peakBytes: rss * 1_048_576)
    }
}
