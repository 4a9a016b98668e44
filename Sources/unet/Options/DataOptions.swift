import ArgumentParser
import Training

/// The training data's options, declared once for `train` and `plan`: where the images, masks
/// and validation data are, how the validation split and the classes are made, their checks, how
/// they fill `TrainingOptions`, and which paths an output must keep off.
struct DataOptions: ParsableArguments {
    @Option(help: "Dataset folder with images/ and masks/ (default: the sample in Data/).")
    var data: String?
    @Option(help: "Images folder (with --masks, instead of --data).")
    var images: String?
    @Option(help: "Masks folder (with --images).")
    var masks: String?
    @Option(name: .customLong("val-data"), help: "Validation dataset folder (kept out of training and of a plan's measurements).")
    var valData: String?
    @Option(name: .customLong("val-fraction"), parsing: .unconditional, help: "Fraction held out for validation when there is no --val-data or split.json (default 0.2).")
    var valFraction: Double?
    @Option(name: .customLong("class-map"), help: "classes.json mapping mask colours to classes.")
    var classMap: String?
    @Option(parsing: .unconditional, help: "Number of classes (default: inferred from the masks, then checked).")
    var classes: Int?

    func validate() throws {
        if images != nil && masks == nil || masks != nil && images == nil { throw ValidationError("--images and --masks go together") }
        if data != nil && images != nil { throw ValidationError("give either --data or --images/--masks, not both") }
        if let valFraction, !(valFraction >= 0 && valFraction < 1) { throw ValidationError("--val-fraction must be in [0, 1) (got \(valFraction))") }
        if let classes, classes < 2 { throw ValidationError("--classes must be at least 2 (got \(classes))") }
    }

    /// `o` with the data given here (the sample dataset when no location is given at all, not
    /// even by `o` itself, e.g. a resumed run's).
    func apply(to o: inout TrainingOptions) throws {
        if let data { o.dataRoot = data; o.imagesDirectory = nil; o.masksDirectory = nil }
        if let images, let masks { o.imagesDirectory = images; o.masksDirectory = masks; o.dataRoot = nil }
        if o.dataRoot == nil && o.imagesDirectory == nil {
            guard let sample = SampleData.locate() else {
                throw ValidationError("no --data given and the sample dataset \(SampleData.relative) was not found")
            }
            o.dataRoot = sample
        }
        if let valData { o.validationRoot = valData }
        if let valFraction { o.validationFraction = valFraction }
        if let classMap { o.classMapPath = classMap }
        if let classes { o.model.classes = classes }
    }

    /// The inputs of `o` that an output may not be, or lie in: the dataset folders' images/ and
    /// masks/ (an output elsewhere in a dataset folder, e.g. `DATA/runs`, is harmless), the
    /// images and masks folders, the class map.
    static func inputs(of o: TrainingOptions) -> [OutputSafety.Input] {
        var inputs = (o.dataRoot.map { OutputSafety.dataset($0) } ?? [])
            + (o.validationRoot.map { OutputSafety.dataset($0, role: "validation dataset folder") } ?? [])
        for (path, role) in [(o.imagesDirectory, "images folder"), (o.masksDirectory, "masks folder")] {
            if let path { inputs.append(OutputSafety.Input(path: path, role: role, isFolder: true)) }
        }
        if let map = o.classMapPath { inputs.append(OutputSafety.Input(path: map, role: "class map", isFolder: false)) }
        return inputs
    }
}
