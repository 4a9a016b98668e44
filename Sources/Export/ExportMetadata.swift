import Foundation
import Training

/// What an exported model needs besides its graph to be used correctly, as ONNX
/// `metadata_props` (string keys, JSON values): class names and colours, the input
/// normalisation, the input-size rule, and the network configuration.
public enum ExportMetadata {
    /// Format tag of the metadata, raised when a key changes meaning.
    public static let formatTag = "unet-onnx-1"

    public static func properties(for info: ModelInfo, output: UNetGraph.Output) -> [(key: String, value: String)] {
        let rule = InputSizeRule(info.configuration)
        let n = info.normalization
        return [
            ("unet.format", formatTag),
            ("unet.output", output.rawValue),
            ("unet.class_names", json(info.classNames)),
            ("unet.palette", json(info.palette.map { $0.map(Int.init) })),
            ("unet.normalization", json(NormalizationRecord(mean: n.mean, std: n.std))),
            ("unet.input_size", json(SizeRecord(minimum: rule.minimum, step: rule.step, border: rule.border, rule: rule.text))),
            ("unet.configuration", json(info.configuration)),
        ]
    }

    /// `input = (pixel / maxValue − mean[c]) / std[c]`, maxValue 255 for 8-bit and 65535 for 16-bit images.
    struct NormalizationRecord: Encodable {
        var mode = "mean_std"
        let mean: [Float]
        let std: [Float]
        var formula = "input[c] = (pixel[c] / max_value - mean[c]) / std[c], max_value 255 for 8-bit and 65535 for 16-bit images"
    }

    struct SizeRecord: Encodable {
        let minimum: Int
        let step: Int
        let border: Int
        let rule: String
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}
