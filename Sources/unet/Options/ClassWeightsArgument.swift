import ArgumentParser
import Training

/// `--class-weights auto|none|W0,W1,…`, parsed when the command line is: each weight a positive
/// finite number.
enum ClassWeightsArgument {
    static func parse(_ text: String) throws -> ClassWeighting {
        switch text {
        case "auto": return .auto
        case "none": return .none
        default:
            let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! > 0 && $0!.isFinite }) else {
                throw ValidationError("--class-weights must be auto, none or comma-separated positive finite numbers (got '\(text)')")
            }
            return .fixed(values.map { $0! })
        }
    }

    /// `weighting` as it is written on the command line.
    static func text(_ weighting: ClassWeighting) -> String {
        switch weighting {
        case .auto: return "auto"
        case .none: return "none"
        case .fixed(let values): return values.map { "\($0)" }.joined(separator: ",")
        }
    }
}
