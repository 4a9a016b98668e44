import Foundation
import Training

/// The printed table and the JSON document of `unet evaluate`.
enum EvaluationReport {
    static func fmt(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "  -   " }

    static func table(_ m: ConfusionMatrix, names: [String], images: Int) -> String {
        let width = max(10, names.map(\.count).max() ?? 0)
        var lines = ["\(images) image(s), \(m.total) pixels (one confusion matrix over all pixels)",
                     "class".padding(toLength: width, withPad: " ", startingAt: 0) + "   IoU      Dice     pixels(truth)"]
        for c in 0..<m.classes {
            let truth = (0..<m.classes).reduce(Int64(0)) { $0 + m[c, $1] }
            lines.append(names[c].padding(toLength: width, withPad: " ", startingAt: 0) + "   \(fmt(m.iou(c)))   \(fmt(m.dice(c)))   \(truth)")
        }
        lines.append("mean IoU \(fmt(m.meanIoU))   mean Dice \(fmt(m.meanDice))   pixel accuracy \(fmt(m.pixelAccuracy))")
        return lines.joined(separator: "\n")
    }

    static func scores(_ m: ConfusionMatrix, names: [String]) -> [String: Any] {
        func n(_ v: Double?) -> Any { v ?? NSNull() }
        return [
            "per_class": (0..<m.classes).map { ["class": $0, "name": names[$0], "iou": n(m.iou($0)), "dice": n(m.dice($0)),
                                                "precision": n(m.precision($0)), "recall": n(m.recall($0))] as [String: Any] },
            "mean_iou": n(m.meanIoU), "mean_dice": n(m.meanDice), "pixel_accuracy": n(m.pixelAccuracy),
        ]
    }

    static func json(_ total: ConfusionMatrix, names: [String], perImage: [(name: String, confusion: ConfusionMatrix)]) throws -> Data {
        var doc = scores(total, names: names)
        doc["aggregation"] = "dataset: one confusion matrix summed over all pixels of all images; a class absent from both truth and prediction has null IoU/Dice and is excluded from the means. per_image_mean: the mean over images of each image's scores."
        doc["classes"] = names
        doc["confusion_matrix"] = (0..<total.classes).map { t in (0..<total.classes).map { total[t, $0] } }
        doc["confusion_matrix_rows"] = "truth"
        doc["per_image"] = perImage.map { ["name": $0.name] .merging(scores($0.confusion, names: names)) { a, _ in a } }
        let ious = perImage.compactMap { $0.confusion.meanIoU }, dices = perImage.compactMap { $0.confusion.meanDice }
        doc["per_image_mean"] = ["mean_iou": ious.isEmpty ? NSNull() : ious.reduce(0, +) / Double(ious.count) as Any,
                                 "mean_dice": dices.isEmpty ? NSNull() : dices.reduce(0, +) / Double(dices.count) as Any]
        return try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
    }
}
