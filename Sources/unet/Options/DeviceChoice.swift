import ArgumentParser

/// `--device`: which compute device runs the network.
enum DeviceChoice: Equatable, ExpressibleByArgument, CustomStringConvertible {
    /// A working NVIDIA GPU (the first), else the CPU; the choice is reported.
    case auto
    /// oneDNN on this machine's CPU (the default).
    case cpu
    /// An NVIDIA GPU by its driver ordinal (`cuda` is `cuda:0`).
    case cuda(Int)
    /// Plain loops on the CPU: slow, readable, the oracle other backends are checked against;
    /// for checking a result, not for work.
    case reference

    init?(argument: String) {
        switch argument {
        case "auto": self = .auto
        case "cpu": self = .cpu
        case "reference": self = .reference
        case "cuda": self = .cuda(0)
        default:
            guard argument.hasPrefix("cuda:"), let n = Int(argument.dropFirst(5)), n >= 0, String(n) == argument.dropFirst(5) else { return nil }
            self = .cuda(n)
        }
    }

    static var allValueStrings: [String] { ["auto", "cpu", "cuda", "cuda:N", "reference"] }

    var description: String {
        switch self {
        case .auto: return "auto"
        case .cpu: return "cpu"
        case .cuda(let n): return "cuda:\(n)"
        case .reference: return "reference"
        }
    }
}
