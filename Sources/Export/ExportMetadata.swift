import Datasets
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
            ("unet.normalization", json(NormalizationRecord(n))),
            ("unet.input_size", json(SizeRecord(minimum: rule.minimum, step: rule.step, border: rule.border, rule: rule.text))),
            ("unet.configuration", json(info.configuration)),
        ]
    }

    /// How pixels become the graph's input, in words and numbers.
    struct NormalizationRecord: Encodable {
        let mode: String
        let mean: [Float]
        let std: [Float]
        let percentiles: [Float]?
        let formula: String

        init(_ n: InputNormalization) {
            mean = n.mean
            std = n.std
            switch n.scheme {
            case .dataset:
                mode = "mean_std"
                percentiles = nil
                formula = "input[c] = (pixel[c] / max_value - mean[c]) / std[c], max_value 255 for 8-bit and 65535 for 16-bit images"
            case .percentile(let low, let high):
                mode = "percentile"
                percentiles = [low, high]
                formula = "per image and channel: x = clip((pixel - p_low) / (p_high - p_low), 0, 1) with p_low, p_high its "
                    + "percentiles (numpy's linear method), then input[c] = (x - mean[c]) / std[c]"
            }
        }
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
