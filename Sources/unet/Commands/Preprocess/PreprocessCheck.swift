import ArgumentParser
import Datasets
import Foundation

/// `unet preprocess check`: every problem of a dataset at once, plus a summary.
struct PreprocessCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "List every problem of a dataset folder and summarise it; exit code 1 when there are problems.",
        discussion: """
        Checks pairing (images/ and masks/ by base name), that every file decodes, that no mask \
        is a JPEG, that each mask has its image's size and that the mask values are class \
        indices as `unet train` reads them: binary 0/255 when every gray mask holds only 0 and \
        255, else indices 0, 1, 2, … without gaps and at most 64 classes, or (with --classes or \
        --class-map) below the class count. Then prints the pair count, the image sizes \
        (smallest and largest width and height), the channels seen and the pixels per class.
        """)

    @Option(help: "Dataset folder with images/ and masks/.")
    var data: String
    @Option(parsing: .unconditional, help: "Number of classes: mask values must be below it.")
    var classes: Int?
    @Option(name: .customLong("class-map"), help: "classes.json for RGB masks.")
    var classMap: String?

    func validate() throws {
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1") }
    }

    func run() throws {
        let map = try classMap.map { try ClassMap.load(contentsOf: $0) }
        let folder = try DatasetFolder.scan(root: data)
        let report = folder.report(classCount: classes, classMap: map, progress: PreprocessReporting.progress("checked"))
        for problem in report.problems { print("problem   \(problem)") }
        for line in report.summary { print(line) }
        if !report.problems.isEmpty { throw ExitCode(1) }
    }
}
