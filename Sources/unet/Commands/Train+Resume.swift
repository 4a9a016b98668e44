import ArgumentParser
import Datasets
import Foundation
import MessagePassing
import Tensors
import Training

/// What may change when a run is resumed, and the refusal of what may not.
extension Train {
    /// The one list of what may be given anew on `--resume`: the refusal, the help text and (checked
    /// by HelpTests) docs/RELIABILITY.md and docs/USAGE.md say it from here.
    static let changeableOnResume = ["--epochs", "--steps", "--out", "--threads", "--workers", "--precision", "--validate-every",
                                     "--sync-batchnorm", "--data", "--images", "--masks", "--val-data", "--class-map"]

    /// The options given on the command line that differ from the run's stored ones and may not
    /// change on resume, as "--flag VALUE (the run has VALUE)".
    func fixedOptionsChanged(stored: TrainingOptions, given: TrainingOptions) -> [String] {
        func text<T>(_ v: T?) -> String { v.map { "\($0)" } ?? "default" }
        let fields: [(String, Bool, (TrainingOptions) -> String)] = [
            ("--depth", model.depth != nil, { "\($0.model.depth)" }), ("--width", model.width != nil, { "\($0.model.baseWidth)" }),
            ("--width-multiplier", model.widthMultiplier != nil, { "\($0.model.widthMultiplier)" }),
            ("--padding", model.padding != nil, { $0.model.padding.rawValue }), ("--block", model.block != nil, { $0.model.block.rawValue }),
            ("--upsampling", model.upsampling != nil, { $0.model.upsampling.rawValue }),
            ("--batch-norm", model.batchNorm != nil, { "\($0.model.batchNorm)" }), ("--dropout", model.dropout != nil, { "\($0.model.dropout)" }),
            ("--classes", dataOptions.classes != nil, { "\($0.model.classes)" }), ("--val-fraction", dataOptions.valFraction != nil, { "\($0.validationFraction)" }),
            ("--batch-size", batchSize != nil, { "\($0.batchSize)" }), ("--patch-size", patchSize != nil, { "\($0.effectivePatchSize)" }),
            ("--lr", lr != nil, { "\($0.learningRate)" }), ("--optimizer", optimizer != nil, { $0.optimizer.rawValue }),
            ("--momentum", momentum != nil, { "\($0.momentum)" }), ("--weight-decay", weightDecay != nil, { "\($0.weightDecay)" }),
            ("--schedule", schedule != nil, { $0.schedule.rawValue }), ("--warmup", warmup != nil, { text($0.warmupSteps) }),
            ("--clip-norm", clipNorm != nil, { text($0.clipNorm) }), ("--loss", loss != nil, { $0.loss.rawValue }),
            ("--class-weights", classWeights != nil, { "\($0.classWeights)" }), ("--weight-map", weightMap != nil, { "\($0.weightMap)" }),
            ("--disable", disable != nil, { o in ["flips": o.flips, "rotations": o.rotations, "elastic": o.elastic, "intensity": o.intensity]
                .filter { !$0.value }.keys.sorted().joined(separator: ",") }),
            ("--seed", seed != nil, { "\($0.seed)" }),
            ("--bn-stats", bnStats != nil, { ($0.batchNormStatistics ?? .running).rawValue }),
            ("--normalize", normalize != nil || percentiles != nil, { ($0.normalization ?? .dataset).summary }),
            ("--sampling", sampling != nil, { $0.sampling?.rawValue ?? "image (as many as the first image's area)" }),
            ("--oversample", oversample != nil, { "\($0.oversample ?? 0)" }),
            ("--ema", ema != nil, { "\($0.averageWeights == true)" }),
        ]
        return fields.compactMap { flag, wasGiven, value in
            !wasGiven || value(given) == value(stored) ? nil : "\(flag) \(value(given)) (the run has \(value(stored).isEmpty ? "none" : value(stored)))"
        }
    }
}
