import ArgumentParser
import Datasets
import FileSafety
import Foundation
import ImageCodecs
import Tensors
import Training

/// `unet evaluate`: scores predicted masks against ground truth.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score predictions: per-class IoU and Dice, mean IoU, pixel accuracy.",
        discussion: """
        Either compare mask folders (--pred DIR --masks DIR, paired by base name; extra files among the predictions such as overlays are ignored) or predict and \
        compare (--model CHECKPOINT --data DIR). Headline numbers come from one confusion matrix \
        over all pixels of all images; per-image scores are in the JSON. A class absent from both \
        truth and prediction has no IoU/Dice and is left out of the means.
        """)

    @Option(help: "Folder of predicted masks.")
    var pred: String?
    @Option(help: "Folder of ground-truth masks (with --pred).")
    var masks: String?
    @Option(help: "Checkpoint to predict with (with --data).")
    var model: String?
    @Option(help: "Dataset folder with images/ and masks/ (with --model).")
    var data: String?
    @Option(name: .customLong("class-map"), help: "classes.json for RGB masks.")
    var classMap: String?
    @Option(parsing: .unconditional, help: "Number of classes (default: the model's, or inferred from the masks).")
    var classes: Int?
    @Option(help: "Write the confusion matrix and per-class and per-image scores as JSON here.")
    var json: String?
    @OptionGroup(title: "Test-time augmentation (with --model)") var testTime: TestTimeOptions
    @OptionGroup(title: "Compute") var compute: ComputeOptions

    func validate() throws {
        let folders = pred != nil || masks != nil, modelMode = model != nil || data != nil
        if folders == modelMode { throw ValidationError("use either --pred DIR --masks DIR or --model CHECKPOINT --data DIR") }
        if folders && (pred == nil || masks == nil) { throw ValidationError("--pred and --masks go together") }
        if modelMode && (model == nil || data == nil) { throw ValidationError("--model and --data go together") }
        if let classes, classes < 2 { throw ValidationError("--classes must be at least 2") }
        if folders && testTime.augmentation != .none { throw ValidationError("--tta and --flip-average need --model (they change predictions, not scores)") }
    }

    func run() throws {
        try compute.activate()
        if let json {
            // The report never lands on (or among) what is being scored.
            let inputs = [(pred, "prediction folder", true), (masks, "ground-truth folder", true), (data, "dataset folder", true),
                          (model, "model", false), (classMap, "class map", false)]
            try OutputSafety.checkFile(json, option: "--json", against: inputs.compactMap { path, role, folder in
                path.map { OutputSafety.Input(path: $0, role: role, isFolder: folder) }
            })
            try OutputSafety.checkReplaceableReport(json, option: "--json")
        }
        let map = try classMap.map { try ClassMap.load(contentsOf: $0) }
        var names: [String]
        var result: (total: ConfusionMatrix, perImage: [(name: String, confusion: ConfusionMatrix)])
        if let model, let data {
            let checkpoint = try Checkpoint.read(from: model)
            let net = try checkpoint.makeModel(path: model)
            let info = checkpoint.info
            let folder = try DatasetFolder.scan(root: data)
            // The same checks, encoding decision and messages as training's.
            let check = DatasetCheck([folder], classCount: info.configuration.classes, classMap: map)
            if !check.problems.isEmpty { throw DatasetError.invalid(check.problems) }
            let source = SampleSource(pairs: folder.pairs, channels: info.configuration.inputChannels, classCount: info.configuration.classes,
                                      classMap: map, maskEncoding: check.encoding, normalization: info.normalization, cacheBudgetBytes: 0)
            let r = try Evaluation.run(model: net, info: info, source: source, augmentation: testTime.augmentation)
            result = (r.confusion, r.perImage)
            names = info.classNames
        } else {
            let masks = try EvaluationMasks.load(predictions: pred!, truth: self.masks!, classCount: classes, classMap: map)
            let k = masks.classCount
            var total = ConfusionMatrix(classes: k)
            var perImage: [(String, ConfusionMatrix)] = []
            for (name, predicted, actual) in masks.pairs {
                var m = ConfusionMatrix(classes: k)
                m.add(truth: actual.classes.map(Int32.init), prediction: predicted.classes.map(Int32.init))
                total.merge(m)
                perImage.append((name, m))
            }
            result = (total, perImage)
            names = (0..<k).map { "class \($0)" }
        }
        print(EvaluationReport.table(result.total, names: names, images: result.perImage.count))
        if let json {
            let data = try EvaluationReport.json(result.total, names: names, perImage: result.perImage)
            try AtomicFile.write(Array(data), to: json)
            print("wrote \(json)")
        }
    }
}
