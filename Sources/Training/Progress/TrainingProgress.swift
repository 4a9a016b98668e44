#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reports training progress on the terminal.
///
/// Interactive style (a terminal): one line redrawn in place with `\r`, at most every
/// `redrawInterval` seconds and always at an epoch's last step,
///
///     [=====>    ] 42% epoch 3/10 step 120/300 loss 0.4312 12.3 img/s ETA 1m23s
///
/// where the bar and percentage show the current epoch and the ETA covers the whole run; at the
/// end of each epoch the line is closed and a summary line follows. Plain style (a file or
/// pipe): no `\r`, no ANSI codes, only the summary line per epoch:
///
///     epoch 3/10 loss 0.4312 val_loss 0.5123 mIoU 0.7011 12.3 img/s took 25s ETA 3m20s
///
/// Speed and ETA come from exponentially smoothed per-step times (factor `smoothing`).
/// Output and clock are injected so tests can read the text and control time.
public final class TrainingProgress {
    /// How progress is drawn.
    public enum Style: Sendable, Equatable {
        /// A bar redrawn in place.
        case interactive
        /// One line per epoch, no control characters.
        case plain

        /// Interactive when standard error is a terminal, plain otherwise.
        public static func detect() -> Style { isatty(STDERR_FILENO) != 0 ? .interactive : .plain }
    }

    /// Epochs in the run.
    public let totalEpochs: Int
    /// Optimisation steps per epoch.
    public let stepsPerEpoch: Int
    /// How progress is drawn.
    public let style: Style
    /// Cells in the bar.
    public var barWidth = 30
    /// Minimum seconds between redraws in interactive style (10 Hz by default).
    public var redrawInterval = 0.1
    /// Weight of the newest step in the smoothed step time.
    public var smoothing = 0.1

    private let write: (String) -> Void
    private let clock: () -> Double
    private var lastStepTime: Double
    private var epochStartTime: Double
    private var lastDrawTime = -Double.infinity
    private var secondsPerStep: Double?
    private var imagesPerStep: Double?
    private var lastEpoch = 1, lastStep = 0

    /// Creates a reporter; by default it detects the style and writes to standard error.
    public init(totalEpochs: Int, stepsPerEpoch: Int, style: Style = .detect(),
                write: @escaping (String) -> Void = TrainingProgress.writeToStandardError,
                clock: @escaping () -> Double = TrainingProgress.monotonicSeconds) {
        precondition(totalEpochs > 0 && stepsPerEpoch > 0, "[TrainingProgress] epochs \(totalEpochs) and steps \(stepsPerEpoch) must be positive")
        self.totalEpochs = totalEpochs
        self.stepsPerEpoch = stepsPerEpoch
        self.style = style
        self.write = write
        self.clock = clock
        lastStepTime = clock()
        epochStartTime = lastStepTime
    }

    /// Smoothed throughput in images per second, nil before the first timed step.
    public var imagesPerSecond: Double? {
        guard let s = secondsPerStep, let i = imagesPerStep, s > 0 else { return nil }
        return i / s
    }

    /// Estimated seconds until the run ends, from the smoothed step time.
    public var estimatedSecondsRemaining: Double? {
        guard let s = secondsPerStep else { return nil }
        let remaining = (totalEpochs - lastEpoch) * stepsPerEpoch + (stepsPerEpoch - lastStep)
        return Double(max(remaining, 0)) * s
    }

    /// Records that step `step` (1-based) of epoch `epoch` (1-based) finished with `loss` on
    /// `images` images, and redraws the bar when due.
    public func step(epoch: Int, step: Int, loss: Float, images: Int) {
        let now = clock()
        let elapsed = now - lastStepTime
        lastStepTime = now
        secondsPerStep = secondsPerStep.map { $0 + smoothing * (elapsed - $0) } ?? elapsed
        imagesPerStep = imagesPerStep.map { $0 + smoothing * (Double(images) - $0) } ?? Double(images)
        lastEpoch = epoch
        lastStep = step
        guard style == .interactive else { return }
        if step >= stepsPerEpoch || now - lastDrawTime >= redrawInterval {
            lastDrawTime = now
            write("\r" + barLine(epoch: epoch, step: step, loss: loss) + "\u{1B}[K")
        }
    }

    /// The in-place line for interactive style.
    func barLine(epoch: Int, step: Int, loss: Float) -> String {
        let fraction = Double(step) / Double(stepsPerEpoch)
        var parts = [ProgressFormatting.bar(fraction: fraction, width: barWidth),
                     "\(Int((fraction * 100).rounded(.down)))%",
                     "epoch \(epoch)/\(totalEpochs)", "step \(step)/\(stepsPerEpoch)",
                     "loss \(ProgressFormatting.fixed(Double(loss), digits: 4))"]
        if let rate = imagesPerSecond { parts.append("\(ProgressFormatting.fixed(rate, digits: 1)) img/s") }
        parts.append("ETA \(ProgressFormatting.duration(estimatedSecondsRemaining))")
        return parts.joined(separator: " ")
    }

    /// Ends epoch `epoch` with its mean training loss and optional validation results, writing
    /// the summary line (after closing the bar line in interactive style).
    public func endEpoch(_ epoch: Int, trainingLoss: Float, validationLoss: Float? = nil, meanIoU: Double? = nil) {
        let now = clock()
        lastEpoch = epoch
        lastStep = stepsPerEpoch
        var parts = ["epoch \(epoch)/\(totalEpochs)", "loss \(ProgressFormatting.fixed(Double(trainingLoss), digits: 4))"]
        if let validationLoss { parts.append("val_loss \(ProgressFormatting.fixed(Double(validationLoss), digits: 4))") }
        if let meanIoU { parts.append("mIoU \(ProgressFormatting.fixed(meanIoU, digits: 4))") }
        if let rate = imagesPerSecond { parts.append("\(ProgressFormatting.fixed(rate, digits: 1)) img/s") }
        parts.append("took \(ProgressFormatting.duration(now - epochStartTime))")
        if epoch < totalEpochs { parts.append("ETA \(ProgressFormatting.duration(estimatedSecondsRemaining))") }
        write((style == .interactive ? "\r\u{1B}[K" : "") + parts.joined(separator: " ") + "\n")
        // Validation time is not training time: the next step is timed from here.
        lastStepTime = now
        epochStartTime = now
    }

    /// Writes to standard error and flushes.
    public static func writeToStandardError(_ text: String) {
        fputs(text, stderr)
        fflush(stderr)
    }

    /// Seconds from a monotonic clock.
    public static func monotonicSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
