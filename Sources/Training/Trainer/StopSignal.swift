#if canImport(Glibc)
import Glibc
#endif

/// The signal (SIGINT or SIGTERM) that asked training to stop, 0 while none has; the trainer
/// checks it between steps, saves `last` and returns `.interrupted`.
nonisolated(unsafe) private var stopSignalReceived: sig_atomic_t = 0

public enum StopSignal {
    /// Installs the handlers (a second Ctrl-C still interrupts at once, without saving).
    public static func install() {
        signal(SIGINT) { _ in
            if stopSignalReceived != 0 { signal(SIGINT, SIG_DFL); raise(SIGINT) }
            stopSignalReceived = SIGINT
        }
        signal(SIGTERM) { _ in stopSignalReceived = SIGTERM }
    }

    public static var requested: Bool { stopSignalReceived != 0 }

    /// The signal received (SIGINT or SIGTERM), if any.
    public static var received: Int32? { stopSignalReceived == 0 ? nil : Int32(stopSignalReceived) }

    /// The shell convention for a run stopped by a signal: 128 + its number (130 for SIGINT,
    /// 143 for SIGTERM); 130 when stopped otherwise (tests' `stopAtStep`).
    public static var exitCode: Int32 { 128 + (received ?? SIGINT) }

    /// For tests: pretend a signal arrived (or clear it).
    public static func set(_ on: Bool) { stopSignalReceived = on ? SIGINT : 0 }
}
