/// Why a dataset could not be used. Every case names the file or folder concerned.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// A folder could not be listed.
    case unreadableDirectory(path: String, reason: String)
    /// A classes.json could not be read or is malformed.
    case badClassMap(path: String, reason: String)
    /// A mask decoded but its values cannot be turned into class indices.
    case badMask(path: String, reason: String)
    /// Validation found problems; all of them, not just the first.
    case invalid([DatasetProblem])

    /// Readable on a terminal; `.invalid` lists one problem per line.
    public var description: String {
        switch self {
        case .unreadableDirectory(let path, let reason):
            return "\(path): cannot list folder (\(reason))"
        case .badClassMap(let path, let reason):
            return "\(path): bad class map: \(reason)"
        case .badMask(let path, let reason):
            return "\(path): \(reason)"
        case .invalid(let problems):
            // Never "0 problems:": an empty list would hide what went wrong (an empty dataset is
            // the `noPairs` problem).
            if problems.isEmpty { return "dataset refused without a problem listed (a bug; please report it)" }
            let noun = problems.count == 1 ? "problem" : "problems"
            return "dataset has \(problems.count) \(noun):\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}
