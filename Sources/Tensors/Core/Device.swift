/// Where a tensor's storage lives. Host backends (oneDNN, the reference loops) share `host`
/// memory; a device backend owns memory on its accelerator ("cuda" today; a ROCm or Metal
/// backend names its own kind, and nothing here changes) and copies to and from the host on request.
public enum Device: Hashable, Sendable, CustomStringConvertible {
    case host
    case accelerator(kind: String, ordinal: Int)

    /// An NVIDIA GPU as the CUDA backend numbers them.
    public static func cuda(_ ordinal: Int) -> Device { .accelerator(kind: "cuda", ordinal: ordinal) }

    public var description: String {
        switch self {
        case .host: return "host"
        case .accelerator(let kind, let ordinal): return "\(kind):\(ordinal)"
        }
    }
}
