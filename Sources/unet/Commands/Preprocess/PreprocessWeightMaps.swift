import ArgumentParser
import Datasets
import Foundation

/// `unet preprocess weight-maps`: the paper's border weight maps, precomputed as 16-bit PNGs.
struct PreprocessWeightMaps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weight-maps",
        abstract: "Precompute the U-Net paper's border weight maps as 16-bit PNGs with 8-bit previews.",
        discussion: """
        w = w_c + w0·exp(-(d1+d2)²/(2σ²)) on background pixels, objects being the connected \
        components of --foreground-class and w_c inverse class frequency per mask. OUT/NAME.png \
        stores round(w · 1000) as 16-bit gray (weights up to 65.535; larger are clipped and \
        counted); OUT/previews/NAME.png is an 8-bit preview scaled from each map's min to its max.
        """)

    @Option(help: "Dataset folder with images/ and masks/.")
    var data: String
    @Option(help: "Output folder.")
    var out: String
    @Option(parsing: .unconditional, help: "w0, the peak border weight.")
    var w0: Float = 10
    @Option(parsing: .unconditional, help: "σ in pixels.")
    var sigma: Float = 5
    @Option(name: .customLong("foreground-class"), parsing: .unconditional, help: "Class whose connected components are the objects.")
    var foregroundClass: Int = 1
    @Option(parsing: .unconditional, help: "Number of classes (default: the class map's, else inferred from the masks).")
    var classes: Int?
    @Option(name: .customLong("class-map"), help: "classes.json for RGB masks.")
    var classMap: String?

    func validate() throws {
        guard sigma > 0 && sigma.isFinite else { throw ValidationError("--sigma must be positive, got \(sigma)") }
        guard w0 >= 0 && w0.isFinite else { throw ValidationError("--w0 must be non-negative, got \(w0)") }
        guard (0...255).contains(foregroundClass) else { throw ValidationError("--foreground-class must be in 0...255") }
        if let classes, classes < 2 { throw ValidationError("--classes must be at least 2") }
        try PreprocessReporting.checkDistinct(out: out, dataset: data)
    }

    func run() throws {
        let map = try classMap.map { try ClassMap.load(contentsOf: $0) }
        let folder = try DatasetFolder.scan(root: data)
        let progress = PreprocessReporting.progress("weight map")
        let (outcome, stats) = try folder.writeWeightMaps(BorderWeightMap(borderWeight: w0, sigma: sigma), foregroundClass: foregroundClass,
                                                          classCount: classes, classMap: map, out: out) { done, total, name, s in
            progress(done, total, s.count == 0 ? name : name + String(format: " (min %.3f, mean %.3f, max %.3f)", s.min, s.mean, s.max))
        }
        var summary = "wrote \(outcome.written) weight map(s) to \(out) (value = round(w · 1000), 16-bit; previews in \(out)/previews)"
        if stats.count > 0 {
            summary += String(format: "\nweights   min %.4f  mean %.4f  max %.4f", stats.min, stats.mean, stats.max)
        }
        if stats.clipped > 0 { summary += "\nwarning   \(stats.clipped) pixel(s) above 65.535 were clipped" }
        try PreprocessReporting.finish(outcome, summary: summary)
    }
}
