import ArgumentParser
import Datasets

/// `unet preprocess convert-masks`: colour-coded masks → indexed PNG class masks.
struct PreprocessConvertMasks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-masks",
        abstract: "Turn colour-coded masks into index masks (indexed PNGs with the class colours as palette).",
        discussion: """
        Each pixel's colour (palette expanded, gray v read as (v, v, v), alpha ignored) is looked \
        up in the class map; an unknown colour is an error naming the file, the colour and a \
        pixel. Output: OUT/NAME.png, whose samples are class indices and whose palette holds the \
        class colours. Bad files are reported together at the end (exit code 1); the others are written.
        """)

    @Option(help: "Folder of colour-coded masks.")
    var masks: String
    @Option(name: .customLong("class-map"), help: "classes.json mapping colours to classes.")
    var classMap: String
    @Option(help: "Output folder.")
    var out: String

    func validate() throws { try PreprocessReporting.checkDistinct(out: out, folders: [masks]) }

    func run() throws {
        let map = try ClassMap.load(contentsOf: classMap)
        let outcome = try ColorMaskConversion.convertFolder(masks: masks, classMap: map, out: out,
                                                           progress: PreprocessReporting.progress("converted"))
        try PreprocessReporting.finish(outcome, summary: "wrote \(outcome.written) index mask(s) to \(out)")
    }
}
