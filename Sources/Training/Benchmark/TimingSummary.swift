import Foundation

/// Wall-clock times of repeated runs of one measurement, in milliseconds.
public struct TimingSummary: Codable, Equatable, Sendable {
    /// Every timed run, in order (warm-up runs excluded).
    public let samples: [Double]

    public init(samples: [Double]) {
        precondition(!samples.isEmpty, "[TimingSummary] no samples")
        self.samples = samples
    }

    /// The median (the mean of the two middle values for an even count).
    public var median: Double {
        let s = samples.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }
    public var min: Double { samples.min()! }
    public var max: Double { samples.max()! }

    /// Runs `body` `warmup` times untimed, then `repeats` times timed.
    public static func measure(warmup: Int, repeats: Int, _ body: () -> Void) -> TimingSummary {
        precondition(repeats >= 1 && warmup >= 0, "[TimingSummary] need repeats ≥ 1 and warmup ≥ 0")
        for _ in 0..<warmup { body() }
        return TimingSummary(samples: (0..<repeats).map { _ in milliseconds(body) })
    }

    /// Wall-clock milliseconds of one run of `body`.
    public static func milliseconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }
}
