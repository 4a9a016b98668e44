#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The learning rate as a function of the optimisation step (counted from 0).
///
/// During the first `warmupSteps` steps the rate rises linearly, `base · (step + 1) / warmupSteps`,
/// reaching `base` at the last warm-up step. After warm-up, `decay` applies to the steps counted
/// from the end of warm-up, `t = step - warmupSteps`:
/// - `.constant`: `base`;
/// - `.step(factor:every:)`: `base · factor^⌊t / every⌋`;
/// - `.cosine(floor:totalSteps:)`: `floor + (base - floor)·(1 + cos(π·t / T))/2` with
///   `T = totalSteps - warmupSteps` (so `totalSteps` counts the warm-up too), and `floor` from
///   step `totalSteps` on.
public struct LearningRateSchedule: Sendable, Equatable {
    /// How the rate changes after warm-up.
    public enum Decay: Sendable, Equatable {
        /// No change.
        case constant
        /// Multiply by `factor` every `every` steps.
        case step(factor: Float, every: Int)
        /// Half a cosine from the base rate down to `floor`, ending at step `totalSteps`.
        case cosine(floor: Float, totalSteps: Int)
    }

    /// The rate after warm-up and before any decay.
    public var baseRate: Float
    /// How the rate decays.
    public var decay: Decay
    /// Number of linear warm-up steps (0 for none).
    public var warmupSteps: Int

    /// Creates a schedule.
    public init(baseRate: Float, decay: Decay = .constant, warmupSteps: Int = 0) {
        precondition(warmupSteps >= 0, "[LearningRateSchedule] warmupSteps \(warmupSteps) must be ≥ 0")
        if case .step(_, let every) = decay { precondition(every > 0, "[LearningRateSchedule] step every \(every) must be > 0") }
        self.baseRate = baseRate
        self.decay = decay
        self.warmupSteps = warmupSteps
    }

    /// A constant rate, with optional warm-up.
    public static func constant(_ rate: Float, warmupSteps: Int = 0) -> LearningRateSchedule {
        LearningRateSchedule(baseRate: rate, decay: .constant, warmupSteps: warmupSteps)
    }

    /// A rate multiplied by `factor` every `every` steps, with optional warm-up.
    public static func step(_ rate: Float, factor: Float, every: Int, warmupSteps: Int = 0) -> LearningRateSchedule {
        LearningRateSchedule(baseRate: rate, decay: .step(factor: factor, every: every), warmupSteps: warmupSteps)
    }

    /// A cosine decay to `floor` at `totalSteps`, with optional warm-up.
    public static func cosine(_ rate: Float, floor: Float = 0, totalSteps: Int, warmupSteps: Int = 0) -> LearningRateSchedule {
        LearningRateSchedule(baseRate: rate, decay: .cosine(floor: floor, totalSteps: totalSteps), warmupSteps: warmupSteps)
    }

    /// The learning rate at `step` (0-based).
    public func rate(atStep step: Int) -> Float {
        precondition(step >= 0, "[LearningRateSchedule] step \(step) must be ≥ 0")
        if step < warmupSteps { return baseRate * Float(step + 1) / Float(warmupSteps) }
        let t = step - warmupSteps
        switch decay {
        case .constant:
            return baseRate
        case .step(let factor, let every):
            return baseRate * powf(factor, Float(t / every))
        case .cosine(let floor, let totalSteps):
            let span = totalSteps - warmupSteps
            if span <= 0 || t >= span { return floor }
            let progress = Double(t) / Double(span)
            return floor + (baseRate - floor) * Float((1 + cos(Double.pi * progress)) / 2)
        }
    }
}
