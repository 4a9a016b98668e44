/// Where a tensor's storage lives. Host backends (oneDNN, the reference loops) share `host`
/// memory; a device backend owns memory on its device and copies to and from the host on request.
public enum Device: Hashable, Sendable, CustomStringConvertible {
    case host
    case cuda(Int)

    public var description: String {
        switch self {
        case .host: return "host"
        case .cuda(let index): return "cuda:\(index)"
        }
    }
}
