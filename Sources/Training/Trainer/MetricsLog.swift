import FileSafety
import Foundation

/// One epoch's row of `metrics.csv`.
public struct EpochMetrics: Equatable, Sendable {
    public var epoch: Int
    public var step: Int
    public var trainLoss: Double
    public var validationLoss: Double?
    public var perClassIoU: [Double?]
    public var meanIoU: Double?
    public var meanDice: Double?
    public var pixelAccuracy: Double?
    public var learningRate: Double
    public var seconds: Double
    /// Validation mean IoU of the training weights when the model is their average.
    public var rawMeanIoU: Double? = nil
}

/// `RUN_DIR/metrics.csv` (one row per epoch, rewritten atomically); `plotPath` is where the tool
/// draws them (`RUN_DIR/curves.png`).
public struct MetricsLog {
    public let directory: String
    public let classNames: [String]
    public private(set) var rows: [EpochMetrics] = []

    public init(directory: String, classNames: [String]) {
        self.directory = directory
        self.classNames = classNames
    }

    public var csvPath: String { (directory as NSString).appendingPathComponent("metrics.csv") }
    public var plotPath: String { (directory as NSString).appendingPathComponent("curves.png") }

    var header: String {
        (["epoch", "step", "train_loss", "val_loss"] + classNames.map { "iou_" + $0.replacingOccurrences(of: " ", with: "_") }
            + ["mean_iou", "mean_dice", "pixel_accuracy", "lr", "seconds", "raw_mean_iou"]).joined(separator: ",")
    }

    private func format(_ v: Double?) -> String { v.map { String(format: "%.6f", $0) } ?? "" }

    func line(_ r: EpochMetrics) -> String {
        ([String(r.epoch), String(r.step), format(r.trainLoss), format(r.validationLoss)] + r.perClassIoU.map(format)
            + [format(r.meanIoU), format(r.meanDice), format(r.pixelAccuracy), String(format: "%.3e", r.learningRate), String(format: "%.2f", r.seconds), format(r.rawMeanIoU)])
            .joined(separator: ",")
    }

    /// Loads rows written by an earlier part of the run, keeping epochs ≤ `throughEpoch`.
    public mutating func resume(throughEpoch: Int) {
        // A regular file only (a FIFO named metrics.csv would block forever), of sane size.
        guard let bytes = try? RegularFile.read(csvPath, maxBytes: 64 << 20) else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            // Runs from before the raw column have one field less.
            let k = classNames.count
            guard f.count == 9 + k || f.count == 10 + k, let epoch = Int(f[0]), epoch <= throughEpoch else { continue }
            rows.append(EpochMetrics(epoch: epoch, step: Int(f[1]) ?? 0, trainLoss: Double(f[2]) ?? .nan, validationLoss: Double(f[3]),
                                     perClassIoU: (0..<k).map { Double(f[4 + $0]) }, meanIoU: Double(f[4 + k]), meanDice: Double(f[5 + k]),
                                     pixelAccuracy: Double(f[6 + k]), learningRate: Double(f[7 + k]) ?? 0, seconds: Double(f[8 + k]) ?? 0,
                                     rawMeanIoU: f.count > 9 + k ? Double(f[9 + k]) : nil))
        }
    }

    /// Appends a row and rewrites the CSV (the curves are the tool's: `Trainer.epochReport`).
    public mutating func append(_ row: EpochMetrics) throws {
        rows.append(row)
        let text = ([header] + rows.map(line)).joined(separator: "\n") + "\n"
        try AtomicFile.write(Array(text.utf8), to: csvPath)
    }
}
