import Datasets
import FileSafety
import Foundation
import NN
import Tensors

/// The run folder's files: which belong to a run, removing and carrying them, the options file,
/// saving `last`, and temporaries left by a killed run.
extension Trainer {
    /// Files of a training run present in `folder`: what a run leaves once it has trained
    /// (options.json alone is written at the start, so a run killed before its first save
    /// holds nothing to keep or resume, and a new run may take the folder).
    static func existingRunFiles(in folder: String) -> [String] {
        ["last.safetensors", "best.safetensors", "metrics.csv"].filter {
            FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0))
        }
    }

    static func removeRunFiles(in folder: String) {
        for name in runFiles { try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name)) }
    }

    /// Copies the history of a run (metrics and best checkpoint) into the folder where it is
    /// resumed, so that the new folder is a whole run: curves continue, and `best` exists.
    static func carryRunFiles(from source: String, to target: String) throws {
        for name in ["metrics.csv", "best.safetensors"] {
            let from = (source as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: from) else { continue }
            let bytes: [UInt8]
            do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: from))) } catch {
                throw TrainingError.noData("\(from): cannot read it to carry it into \(target): \(error.localizedDescription)")
            }
            try AtomicFile.write(bytes, to: (target as NSString).appendingPathComponent(name))
        }
    }

    /// The checkpoint a diverged run can fall back to, if one was written.
    var lastGoodCheckpoint: String? { FileManager.default.fileExists(atPath: lastPath) ? lastPath : nil }

    /// Writes `last.safetensors` with optimizer and run state (atomically).
    /// Only the primary rank writes; the others check the weights and return.
    public func saveLast() throws {
        try checkWeightsFinite()
        try checkRanksAgree()
        guard reducer.isPrimary else { return }
        state.dropoutRNG = model.mode.rng.stateWords
        state.optimizerSteps = optimizer.stepCount
        try Checkpoint(model: evaluatedModel, info: info, optimizer: optimizer, training: state, runOptions: options,
                       raw: average == nil ? nil : model).write(to: lastPath)
    }

    /// Removes temporary files left by a run that was killed while saving (SIGKILL, power loss).
    /// They are hidden and never read in place of a checkpoint; this only reclaims their space.
    func removeStaleTemporaryFiles() {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: options.outputDirectory) else { return }
        for name in names where Trainer.runFiles.contains(where: { name.hasPrefix(".\($0).tmp-") }) {
            try? fm.removeItem(atPath: (options.outputDirectory as NSString).appendingPathComponent(name))
        }
    }

    func writeOptions() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(options)), to: (options.outputDirectory as NSString).appendingPathComponent("options.json"))
    }
}
