import Datasets
import Foundation
import ImageCodecs
import Training

/// Whether a plan fits the data it is applied to: its stored fingerprint against this data.
/// Channels and classes decide the network's shape, so a difference is an error; sizes, bit
/// depth and intensities decide patch, depth and normalisation, so a large difference is a
/// warning (the plan still trains, but was made for other images).
enum PlanFit {
    /// Images sampled for the intensity comparison (spread over the training set).
    static let intensitySample = 16

    /// Throws when channels or classes differ; returns a warning per large difference.
    static func check(_ plan: TrainingPlan, path: String, against data: PreparedData) throws -> [String] {
        let f = plan.fingerprint
        var errors: [String] = []
        if f.channels != data.channels {
            errors.append("it was made for \(f.channels)-channel images and the data has \(data.channels)")
        }
        if f.classes.count != data.classCount {
            errors.append("it was made for \(f.classes.count) classes and the data has \(data.classCount)")
        }
        guard errors.isEmpty else {
            throw CommandFailure("--plan \(path) does not fit this data: \(errors.joined(separator: "; ")). "
                                 + "Make a plan for it (unet plan --data …) or train without --plan")
        }
        var warnings: [String] = []
        let sample = stride(from: 0, to: data.train.count, by: max(1, data.train.count / intensitySample)).prefix(intensitySample).map { data.train[$0] }
        var heights: [Double] = [], widths: [Double] = [], depth = 0
        var sums = [Double](repeating: 0, count: data.channels), count = 0.0
        for pair in sample {
            let (pixels, height, width, _) = try SampleSource.loadImage(pair.imagePath, channels: data.channels)
            depth = max(depth, try data.header(of: pair).bitDepth)
            heights.append(Double(height))
            widths.append(Double(width))
            let plane = height * width
            for c in 0..<data.channels { sums[c] += pixels[(c * plane)..<((c + 1) * plane)].reduce(0.0) { $0 + Double($1) } }
            count += Double(plane)
        }
        let height = DatasetFingerprint.Summary(heights).median, width = DatasetFingerprint.Summary(widths).median
        for (what, planned, now) in [("height", f.heights.median, height), ("width", f.widths.median, width)]
        where planned > 0 && (now / planned > 2 || now / planned < 0.5) {
            warnings.append(String(format: "--plan %@ was made for images of median %@ %.0f px, this data's is %.0f; its patch and depth may not suit them",
                                   path, what, planned, now))
        }
        if depth != f.bitDepth {
            warnings.append("--plan \(path) was made for \(f.bitDepth)-bit images, this data has \(depth)-bit ones; its normalisation may not suit them")
        }
        for (c, planned) in f.intensities.enumerated() where c < data.channels && count > 0 {
            let mean = sums[c] / count
            // More than one typical pixel spread (of the planned data) away: other stain, exposure or modality.
            if abs(mean - planned.mean) > max(planned.std, 0.05) {
                warnings.append(String(format: "--plan %@ was made for images of mean intensity %.3f in channel %d, this data's is %.3f "
                                       + "(of the full range); its normalisation may not suit them", path, planned.mean, c, mean))
            }
        }
        return warnings
    }
}
