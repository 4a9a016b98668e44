import ArgumentParser
import Datasets

/// `--percentiles LOW,HIGH`, parsed and checked (each within 0…100, low below high) when the
/// command line is.
struct PercentileBounds: Equatable {
    let low: Float
    let high: Float

    static func parse(_ text: String) throws -> PercentileBounds {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 2, let low = values[0], let high = values[1] else {
            throw ValidationError("--percentiles must be two numbers LOW,HIGH (got '\(text)')")
        }
        let problems = InputNormalization(mean: [0], std: [1], scheme: .percentile(low: low, high: high)).problems(channels: 1)
        if let first = problems.first { throw ValidationError("--percentiles \(first.problem)") }
        return PercentileBounds(low: low, high: high)
    }
}
