/// The number of threads the backend computes with (a host backend's thread pool): all cores
/// unless set.
public enum ComputeThreads {
    /// The most threads accepted. libgomp starts every thread it is asked for (10^8 crash it);
    /// 1024 is above the hardware threads of today's largest two-socket servers (768), and
    /// more threads than cores only slow the convolutions down.
    public static let maximum = 1024

    /// Why `n` threads cannot be used, or nil.
    public static func problem(with n: Int) -> String? {
        (1...maximum).contains(n) ? nil : "threads must be between 1 and \(maximum) (got \(n))"
    }

    /// Sets the thread count (call from the thread that runs the model, before computing);
    /// throws when `n` is outside 1...`maximum`.
    public static func set(_ n: Int) throws {
        if let problem = problem(with: n) { throw ComputeThreadsError(description: problem) }
        Backend.current.setThreadCount(n)
    }

    /// The thread count in effect.
    public static var count: Int { Backend.current.threadCount }
}

/// A thread count outside 1...`ComputeThreads.maximum`.
public struct ComputeThreadsError: Error, CustomStringConvertible {
    public let description: String
}
