#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Training

/// A linear axis with "nice" tick values (1, 2 or 5 × 10ᵏ apart) covering a data range.
struct AxisScale {
    var lower: Double
    var upper: Double
    var step: Double

    /// Ticks covering `minimum...maximum` with about `targetTicks` intervals; a constant range is
    /// widened around its value, an empty one (nil) becomes 0...1.
    init(covering range: ClosedRange<Double>?, targetTicks: Int = 5) {
        var low = range?.lowerBound ?? 0, high = range?.upperBound ?? 1
        if high - low < 1e-12 {
            let pad = abs(low) > 1e-12 ? abs(low) * 0.1 : 0.5
            low -= pad
            high += pad
        }
        let rough = (high - low) / Double(max(targetTicks, 1))
        let magnitude = pow(10, floor(log10(rough)))
        let fraction = rough / magnitude
        step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
        lower = floor(low / step + 1e-9) * step
        upper = ceil(high / step - 1e-9) * step
    }

    /// An axis with explicit bounds and tick step.
    init(lower: Double, upper: Double, step: Double) {
        self.lower = lower
        self.upper = upper
        self.step = step
    }

    /// The tick values from `lower` to `upper`.
    var ticks: [Double] {
        let count = Int(((upper - lower) / step + 1e-9).rounded(.down))
        return (0...max(count, 0)).map { lower + Double($0) * step }
    }

    /// Decimals needed to print the ticks distinctly.
    var decimals: Int { max(0, Int(-floor(log10(step) + 1e-9))) }

    /// Position of `value` between `lower` (0) and `upper` (1).
    func fraction(_ value: Double) -> Double { (value - lower) / (upper - lower) }
}
