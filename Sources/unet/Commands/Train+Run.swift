import ArgumentParser
import Datasets
import Foundation
import MessagePassing
import Tensors
import Reports
import Training

/// Running the command: joining the ranks, agreeing across them, the Trainer and its outcome.
extension Train {
    /// Refuses a run folder that is one of the data folders or lies in one.
    func checkRunFolder(_ o: TrainingOptions) throws {
        let inputs = DataOptions.inputs(of: o)
        try OutputSafety.checkFolder(o.outputDirectory, against: inputs)
    }

    func run() throws {
        let world = try Ranks.join()
        try Ranks.run(world) { try train(world) }
    }

    /// With several ranks: loads the data (unless loaded already) and stops every rank, before
    /// any step, when their options, data or run folder differ. Returns the data to train on.
    /// Alone: returns `data` as given (the Trainer reads it after taking the run folder).
    func agreeAcrossRanks(_ world: MPIWorld?, options: TrainingOptions, data: PreparedData?, inferClasses: Bool,
                                  resumedStep: Int?) throws -> PreparedData? {
        guard let world, world.size > 1 else { return data }
        let loaded = try data ?? PreparedData.load(options, inferClasses: inferClasses)
        try RankAgreement.check(world, try RankAgreement.description(options: options, data: loaded, resumedStep: resumedStep)
            + [("--precision", compute.precision.rawValue), ("--device kind", compute.device.description.split(separator: ":").first.map(String.init) ?? "")])
        return loaded
    }

    /// Trains as one rank of `world` (alone when nil); only rank 0 writes and prints.
    func train(_ world: MPIWorld?) throws {
        StopSignal.install()
        try compute.activate(leavingBusyCores: resume == nil)
        if compute.threads == nil, let threads = Ranks.defaultThreads(world) { try ComputeThreads.set(threads) }
        let reducer = Ranks.reducer(world)
        let primary = reducer.isPrimary
        let trainer: Trainer
        if let resume {
            let checkpoint = try Checkpoint.read(from: resume)
            guard var stored = checkpoint.runOptions, let saved = checkpoint.training else {
                throw CommandFailure("\(resume): this checkpoint has no training state (resume from RUN_DIR/last.safetensors)")
            }
            // The run continues where the user says, else beside the checkpoint it resumes —
            // never in the folder recorded inside it, which may be another copy or machine's.
            let folder = (resume as NSString).deletingLastPathComponent
            stored.outputDirectory = out ?? (folder.isEmpty ? "." : folder)
            let given = try makeOptions(base: stored)
            let changed = fixedOptionsChanged(stored: stored, given: given)
            if !changed.isEmpty {
                throw CommandFailure("\(resume): these options cannot change when resuming: \(changed.joined(separator: "; ")). "
                    + "Leave them out (the run's are restored) or start a new run; only \(Train.changeableOnResume.joined(separator: ", ")) may be given anew")
            }
            try checkRunFolder(given)
            let data = try agreeAcrossRanks(world, options: given, data: nil, inferClasses: false, resumedStep: saved.step)
            trainer = try Trainer(options: given, inferClasses: false, resume: checkpoint, resumedFrom: resume, replacingExistingRun: overwrite,
                                  reducer: reducer, prepared: data)
            guard saved.step < trainer.totalSteps else {
                throw CommandFailure("\(resume): the run already finished (step \(saved.step) of \(trainer.totalSteps)); "
                    + "give --epochs or --steps beyond it to train on")
            }
            if primary { print("resuming \(resume) at step \(saved.step) of \(trainer.totalSteps), writing to \(given.outputDirectory)") }
        } else {
            // The run folder is checked before the data is measured for a plan (it is created,
            // locked and checked for an earlier run once the Trainer starts).
            if primary { try OutputSafety.checkCreatableFolder(try makeOptions().outputDirectory) }
            let (plan, planned) = try makePlan(primary: primary, ranks: reducer.worldSize)
            var options = try makeOptions(plan: plan)
            // Fewer threads than usable cores because others were busy: stored with the run, so that
            // a resume computes with the same count (the weights depend on it) whatever the load then.
            if compute.threads == nil, world == nil, ComputeThreads.count < min(UsableCores.count, ComputeThreads.maximum) {
                options.threads = ComputeThreads.count
            }
            if primary, let plan {
                print(PlanFile.summary(plan, path: self.plan, overridden: planOverrides(plan)))
                fflush(stdout)
            }
            try checkRunFolder(options)
            try checkMemory(options)
            let data = try agreeAcrossRanks(world, options: options, data: planned, inferClasses: dataOptions.classes == nil, resumedStep: nil)
            trainer = try Trainer(options: options, inferClasses: dataOptions.classes == nil, replacingExistingRun: overwrite, reducer: reducer,
                                  prepared: data)
        }
        let start = Date()
        trainer.dataWorkers = workers
        trainer.epochReport = CurvesReport.write
        let outcome = try trainer.run()
        let seconds = Date().timeIntervalSince(start)
        if outcome == .finished {
            guard primary else { return }
            let fm = FileManager.default
            let best = fm.fileExists(atPath: trainer.bestPath)
                ? String(format: "best: %@ (epoch %@, %@; chosen on these validation images, so optimistic)", trainer.bestPath,
                         trainer.state.bestEpoch.map(String.init) ?? "-", trainer.state.bestMeanIoU.map { String(format: "%.4f", $0) } ?? "-")
                : (trainer.data.validation.isEmpty ? "no best checkpoint (no validation data)" : "no best checkpoint")
            let last = trainer.lastValidation.flatMap { v in v.meanIoU.map { String(format: " (epoch %d, validation mean IoU %.4f)", v.epoch, $0) } } ?? ""
            print(String(format: "done in %.1f s: last: %@%@; %@", seconds, trainer.lastPath, last, best))
            print(String(format: "data pipeline: the compute loop waited %.2f s for batches (%.1f%% of %.1f s computing)",
                         trainer.dataWaitSeconds, 100 * trainer.dataWaitSeconds / max(trainer.computeSeconds, 1e-9), trainer.computeSeconds))
            if let mpi = reducer as? MPIGradientReducer { print(mpi.summary) }
        } else {
            // Every rank leaves with the same status: the signal one of them received.
            let received = world?.maximum(StopSignal.received ?? 0) ?? StopSignal.received ?? 0
            throw ExitCode(128 + (received == 0 ? SIGINT : received))
        }
    }
}
