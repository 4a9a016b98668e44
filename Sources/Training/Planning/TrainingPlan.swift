import Datasets
import NN

/// A training configuration derived from a dataset's fingerprint by `Planner`, with the reason
/// for each choice. Written as `plan.json` by `unet plan`; `unet train --plan` applies it, and
/// any option given explicitly on the command line wins over the plan's value.
public struct TrainingPlan: Codable, Equatable, Sendable {
    public var fingerprint: DatasetFingerprint
    /// "dataset" or "percentile".
    public var normalize: String
    /// The low and high percentiles when `normalize` is "percentile".
    public var percentiles: [Float]?
    public var depth: Int
    public var width: Int
    public var patchSize: Int
    public var batchSize: Int
    public var loss: LossKind
    public var flips: Bool
    public var rotations: Bool
    public var elastic: Bool
    public var intensity: Bool
    /// Steps that fit the time budget (nil: no budget was given; the run's default length).
    public var steps: Int?
    /// The time budget the steps were planned for (nil: none), and the measured time of one
    /// training step of the chosen network on this machine (nil when not measured).
    public var budgetSeconds: Double?
    public var measuredStepSeconds: Double?
    /// Why each field has its value, in the order they were decided.
    public var decisions: [Decision]
    /// How often each image is drawn, and the share of patches placed on rare classes (nil in
    /// plans written before they were planned: the run's defaults apply).
    public var sampling: PatchSampling? = nil
    public var oversample: Double? = nil

    public struct Decision: Codable, Equatable, Sendable {
        public var field: String
        public var value: String
        public var reason: String
    }

    /// The normalisation scheme as training options take it.
    public var normalizationScheme: InputNormalization.Scheme {
        if normalize == "percentile", let p = percentiles, p.count == 2 { return .percentile(low: p[0], high: p[1]) }
        return .dataset
    }

    /// The decisions as a two-column table for the terminal.
    public var table: String {
        let fieldWidth = decisions.map(\.field.count).max() ?? 0
        let valueWidth = decisions.map(\.value.count).max() ?? 0
        return decisions.map { d in
            d.field.padding(toLength: fieldWidth, withPad: " ", startingAt: 0) + "  "
                + d.value.padding(toLength: valueWidth, withPad: " ", startingAt: 0) + "  " + d.reason
        }.joined(separator: "\n")
    }
}
