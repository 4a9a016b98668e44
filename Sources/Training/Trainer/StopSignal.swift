#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT/SIGTERM; the trainer checks it between steps, saves `last` and exits cleanly.
nonisolated(unsafe) private var stopSignalReceived: sig_atomic_t = 0

public enum StopSignal {
    /// Installs the handlers (a second Ctrl-C still interrupts at once).
    public static func install() {
        signal(SIGINT) { _ in
            if stopSignalReceived != 0 { signal(SIGINT, SIG_DFL); raise(SIGINT) }
            stopSignalReceived = 1
        }
        signal(SIGTERM) { _ in stopSignalReceived = 1 }
    }

    public static var requested: Bool { stopSignalReceived != 0 }

    /// For tests: pretend a signal arrived (or clear it).
    public static func set(_ on: Bool) { stopSignalReceived = on ? 1 : 0 }
}
