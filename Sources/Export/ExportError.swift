/// Why an export could not be written; each message names the file or option at fault.
public enum ExportError: Error, CustomStringConvertible, Equatable {
    case missingTensor(source: String, name: String)
    case badOption(option: String, problem: String)
    case badArray(path: String, problem: String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .missingTensor(let s, let n): return "\(s): tensor '\(n)' is missing; the checkpoint does not match its configuration"
        case .badOption(let o, let p): return "\(o): \(p)"
        case .badArray(let path, let p): return "\(path): \(p)"
        case .unsupported(let what): return what
        }
    }
}
