import Tensors

/// Counts of (true class, predicted class) pixel pairs, from which segmentation scores follow.
///
/// Counts are Int64 so that a whole validation set accumulates without overflow; matrices from
/// different batches or threads merge by addition.
///
/// Empty-class rule: a class absent from both the truth and the prediction (no true pixels, no
/// predicted pixels) has an undefined IoU and Dice (`nil`) and is left out of `meanIoU` and
/// `meanDice`, rather than counting as 0 or 1. A class present in only one of them scores 0.
/// Likewise precision is nil without predictions of the class, recall nil without true pixels.
public struct ConfusionMatrix: Sendable, Equatable {
    /// Number of classes.
    public let classes: Int
    /// `counts[truth * classes + prediction]`.
    public private(set) var counts: [Int64]

    /// An empty matrix for `classes` classes.
    public init(classes: Int) {
        precondition(classes > 0, "[ConfusionMatrix] classes \(classes) must be positive")
        self.classes = classes
        counts = [Int64](repeating: 0, count: classes * classes)
    }

    /// A matrix with the given counts (`counts[truth * classes + prediction]`), e.g. combined over ranks.
    public init(classes: Int, counts: [Int64]) {
        precondition(classes > 0 && counts.count == classes * classes, "[ConfusionMatrix] \(counts.count) counts for \(classes) classes")
        self.classes = classes
        self.counts = counts
    }

    /// Pixels whose true class is `truth` and predicted class is `prediction`.
    public subscript(truth: Int, prediction: Int) -> Int64 { counts[truth * classes + prediction] }

    /// Adds one pair per pixel; both int32 tensors hold class indices in `0..<classes`.
    public mutating func add(truth: Tensor, prediction: Tensor) {
        precondition(truth.dtype == .int32 && prediction.dtype == .int32 && truth.count == prediction.count,
                     "[ConfusionMatrix] truth \(truth) vs prediction \(prediction)")
        let k = classes, backend = Backend.current
        for (what, t) in [("truth", truth), ("prediction", prediction)] {
            let outside = backend.classCounts(t, classes: k)[k]
            precondition(outside == 0, "[ConfusionMatrix] \(outside) \(what) value(s) outside 0..<\(k)")
        }
        backend.accumulateConfusion(truth: truth, prediction: prediction, classes: k, into: &counts)
    }

    /// Adds one pair per pixel from host arrays (masks read from files).
    public mutating func add(truth: [Int32], prediction: [Int32]) {
        precondition(truth.count == prediction.count, "[ConfusionMatrix] truth \(truth.count) vs prediction \(prediction.count) pixels")
        add(truth: Tensor(shape: Shape(truth.count), integers: truth), prediction: Tensor(shape: Shape(prediction.count), integers: prediction))
    }

    /// Adds another matrix's counts.
    public mutating func merge(_ other: ConfusionMatrix) {
        precondition(other.classes == classes, "[ConfusionMatrix] merging \(other.classes) classes into \(classes)")
        for i in 0..<counts.count { counts[i] += other.counts[i] }
    }

    /// The sum of two matrices.
    public static func + (a: ConfusionMatrix, b: ConfusionMatrix) -> ConfusionMatrix {
        var sum = a
        sum.merge(b)
        return sum
    }

    /// All counted pixels.
    public var total: Int64 { counts.reduce(0, +) }

    /// Correctly classified pixels of class `c`.
    public func truePositives(_ c: Int) -> Int64 { self[c, c] }
    /// Pixels predicted as `c` whose truth is another class.
    public func falsePositives(_ c: Int) -> Int64 { (0..<classes).reduce(0) { $0 + ($1 == c ? 0 : self[$1, c]) } }
    /// Pixels of class `c` predicted as another class.
    public func falseNegatives(_ c: Int) -> Int64 { (0..<classes).reduce(0) { $0 + ($1 == c ? 0 : self[c, $1]) } }

    /// TP / (TP + FP + FN), nil when the class is absent from truth and prediction.
    public func iou(_ c: Int) -> Double? {
        let tp = truePositives(c), denominator = tp + falsePositives(c) + falseNegatives(c)
        return denominator == 0 ? nil : Double(tp) / Double(denominator)
    }

    /// 2·TP / (2·TP + FP + FN) (the F1 score), nil when the class is absent from truth and prediction.
    public func dice(_ c: Int) -> Double? {
        let tp = truePositives(c), denominator = 2 * tp + falsePositives(c) + falseNegatives(c)
        return denominator == 0 ? nil : Double(2 * tp) / Double(denominator)
    }

    /// TP / (TP + FP), nil when `c` is never predicted.
    public func precision(_ c: Int) -> Double? {
        let denominator = truePositives(c) + falsePositives(c)
        return denominator == 0 ? nil : Double(truePositives(c)) / Double(denominator)
    }

    /// TP / (TP + FN), nil when `c` never occurs in the truth.
    public func recall(_ c: Int) -> Double? {
        let denominator = truePositives(c) + falseNegatives(c)
        return denominator == 0 ? nil : Double(truePositives(c)) / Double(denominator)
    }

    /// Fraction of pixels classified correctly, nil when nothing was counted.
    public var pixelAccuracy: Double? {
        let all = total
        return all == 0 ? nil : Double((0..<classes).reduce(0) { $0 + self[$1, $1] }) / Double(all)
    }

    /// IoU of every class (nil entries for absent classes).
    public var perClassIoU: [Double?] { (0..<classes).map(iou) }
    /// Dice of every class (nil entries for absent classes).
    public var perClassDice: [Double?] { (0..<classes).map(dice) }

    /// Mean IoU over classes with a defined IoU, nil when none is defined.
    public var meanIoU: Double? { Self.mean(perClassIoU) }
    /// Mean Dice over classes with a defined Dice, nil when none is defined.
    public var meanDice: Double? { Self.mean(perClassDice) }

    private static func mean(_ values: [Double?]) -> Double? {
        let defined = values.compactMap { $0 }
        return defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
    }
}
