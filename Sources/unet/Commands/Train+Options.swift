import ArgumentParser
import Datasets
import Foundation
import MessagePassing
import Tensors
import Training

/// The run's options from the command line, a plan and a resumed run's stored options, and the
/// checks on them that need more than one option (memory, what a plan's choices were overridden by).
extension Train {
    /// Refuses a batch and patch whose estimated training memory is over --memory or this
    /// machine's, before anything is read, allocated or written, naming what would fit.
    func checkMemory(_ o: TrainingOptions) throws {
        guard let limitMB = memory ?? PhysicalMemory.usableMegabytes else { return }
        let limit = Double(limitMB) * 1_048_576
        let patch = o.effectivePatchSize, c = o.model
        let need = TrainingMemory.estimatedBytes(c, patch: patch, batch: o.batchSize)
        guard need > limit else { return }
        func size(_ bytes: Double) -> String {
            let (tib, gib) = (Double(1 << 40), Double(1 << 30))
            return bytes >= tib ? String(format: "%.1f TiB", bytes / tib)
                : bytes >= gib ? String(format: "%.1f GiB", bytes / gib) : String(format: "%.0f MiB", bytes / 1_048_576)
        }
        let fits = [TrainingMemory.largestBatch(c, patch: patch, limitBytes: limit) > 0
                        ? "--batch-size \(TrainingMemory.largestBatch(c, patch: patch, limitBytes: limit)) with this patch" : nil,
                    TrainingMemory.largestPatch(c, batch: o.batchSize, limitBytes: limit).map { "--patch-size \($0) with this batch" },
                    TrainingMemory.largestPatch(c, batch: 1, limitBytes: limit).map { "--patch-size \($0) with --batch-size 1" }]
            .compactMap { $0 }
        throw ValidationError("batch \(o.batchSize) of \(patch)×\(patch) patches needs about \(size(need)) to train this network (an estimate), "
            + "over \(memory != nil ? "--memory \(limitMB) MiB" : "this machine's \(size(limit))"); "
            + (fits.isEmpty ? "even one patch of the smallest size does not fit: choose a narrower or shallower network" : "what fits: " + fits.joined(separator: ", or ")))
    }



    /// The run's options: defaults (or the resumed run's), then the plan's choices, then the
    /// flags given.
    func makeOptions(base: TrainingOptions = TrainingOptions(), plan: TrainingPlan? = nil) throws -> TrainingOptions {
        var o = base
        if let plan { o = o.applying(plan) }
        try dataOptions.apply(to: &o)
        o.model = model.apply(to: o.model)
        if let classes = dataOptions.classes { o.model.classes = classes }
        if let epochs { o.epochs = epochs; o.steps = nil }
        if let steps { o.steps = steps; o.epochs = nil }
        if let batchSize { o.batchSize = batchSize }
        if let patchSize { o.patchSize = patchSize }
        if let lr { o.learningRate = lr }
        if let optimizer { o.optimizer = optimizer }
        if let momentum { o.momentum = momentum }
        if let weightDecay { o.weightDecay = weightDecay }
        if let schedule { o.schedule = schedule }
        if let warmup { o.warmupSteps = warmup }
        if let clipNorm { o.clipNorm = clipNorm }
        if let loss { o.loss = loss }
        if let classWeights { o.classWeights = classWeights }
        if let weightMap { o.weightMap = weightMap }
        disable?.apply(to: &o)
        switch normalize {
        case .dataset?: o.normalization = .dataset
        case .percentile?:
            o.normalization = percentiles.map { .percentile(low: $0.low, high: $0.high) } ?? InputNormalization.Scheme.defaultPercentile
        case nil: break
        }
        if let seed { o.seed = seed }
        if let validateEvery { o.validateEvery = validateEvery }
        if let bnStats { o.batchNormStatistics = bnStats }
        if let syncBatchNorm { o.syncBatchNorm = syncBatchNorm }
        if let sampling { o.sampling = sampling }
        if let oversample { o.oversample = oversample }
        if let ema { o.averageWeights = ema }
        if let out { o.outputDirectory = out }
        if let t = compute.threads { o.threads = t }
        return o
    }

    /// The flags given that replace a choice of `plan`.
    func planOverrides(_ plan: TrainingPlan) -> [String] {
        [("--depth", model.depth != nil), ("--width", model.width != nil && plan.budgetSeconds != nil), ("--patch-size", patchSize != nil),
         ("--batch-size", batchSize != nil), ("--loss", loss != nil), ("--disable", disable != nil),
         ("--steps", steps != nil && plan.steps != nil), ("--epochs", epochs != nil && plan.steps != nil),
         ("--normalize", normalize != nil || percentiles != nil), ("--sampling", sampling != nil), ("--oversample", oversample != nil)]
            .filter(\.1).map(\.0)
    }
}
