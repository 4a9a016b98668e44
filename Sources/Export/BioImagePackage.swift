import Datasets
import Foundation
import ImageCodecs
import NN
import Tensors
import Reports
import Training

/// A BioImage Model Zoo package (model description format 0.5): `rdf.yaml`, the ONNX weights,
/// a test input and its expected output (`.npy`), a README and a cover image, as named files
/// to write into a folder or a zip.
public struct BioImagePackage {
    public static let formatVersion = "0.5.4"
    public static let rdfName = "rdf.yaml", weightsName = "model.onnx", testInputName = "test_input.npy",
                      testOutputName = "test_output.npy", readmeName = "README.md", coverName = "cover.png"
    /// Every file of a package, in the order written.
    public static let fileNames = [rdfName, weightsName, testInputName, testOutputName, readmeName, coverName]
    /// The input tensor's id: the ONNX graph's input name, so the two cannot disagree.
    static let inputID = UNetGraph.inputName

    public let files: [(name: String, bytes: [UInt8])]

    public init(checkpoint: Checkpoint, output: UNetGraph.Output, test: TestInput, description: BioImageDescription) throws {
        let info = checkpoint.info, c = info.configuration
        let rule = InputSizeRule(c)
        let onnx = try ONNXExport.model(from: checkpoint, output: output)

        // The expected output: this tool's network on the normalised test input.
        var normalized = test.unit
        info.normalization.prepare(&normalized, channels: c.inputChannels)
        info.normalization.apply(to: &normalized)
        let net = try checkpoint.makeModel()
        net.training = false
        let logits = Tape.withoutRecording { net(Tensor(shape: Shape(1, c.inputChannels, test.height, test.width), scalars: normalized)) }
        let result = output == .probabilities ? softmax(logits) : logits
        let (oh, ow) = (result.shape.h, result.shape.w)

        let rdf = Self.rdf(info: info, output: output, rule: rule, maxValue: test.maxValue, description: description)
        let readme = ModelCard.text(checkpoint: checkpoint, output: output, rule: rule, maxValue: test.maxValue, description: description,
                                    files: (Self.weightsName, Self.testInputName, Self.testOutputName))
        files = [
            (Self.rdfName, Array(rdf.rendered().utf8)),
            (Self.weightsName, onnx.serialized()),
            (Self.testInputName, NpyArray(shape: [1, test.channels, test.height, test.width], values: test.raw).encoded()),
            (Self.testOutputName, NpyArray(shape: result.shape.dims, values: result.scalars).encoded()),
            (Self.readmeName, Array(readme.utf8)),
            (Self.coverName, try Self.cover(test: test, scores: result.scalars, classes: c.classes, height: oh, width: ow, border: rule.border,
                                            palette: info.palette)),
        ]
    }

    /// Left: the test input where the network has an output; right: the predicted classes blended over it.
    static func cover(test: TestInput, scores: [Float], classes: Int, height: Int, width: Int, border: Int, palette: [[UInt8]]) throws -> [UInt8] {
        let shown = min(test.channels, 3) == 3 ? 3 : 1
        var region = [Float]()
        let unit = test.unit
        for ch in 0..<shown {
            for y in 0..<height {
                let row = (ch * test.height + border + y) * test.width + border
                region += unit[row..<row + width]
            }
        }
        // The overlay as `unet predict --overlay` draws it (the argmax of logits is that of probabilities).
        let overlay = SegmentationImages(probabilities: scores, classes: classes, height: height, width: width)
            .overlay(on: region, channels: shown, palette: palette).uint8Samples!
        let plain = Overlay.blend(mask: [Int32](repeating: 0, count: height * width), overPlanar: region, channels: shown, height: height,
                                  width: width, palette: ClassPalette(colors: [.black]), alpha: 0, backgroundTransparent: true)
        var pixels = [UInt8]()
        pixels.reserveCapacity(height * width * 6)
        for y in 0..<height {
            pixels += plain[(y * width * 3)..<((y + 1) * width * 3)]
            pixels += overlay[(y * width * 3)..<((y + 1) * width * 3)]
        }
        return try Image(width: 2 * width, height: height, channels: 3, samples: pixels).pngData()
    }

    /// Channel names as the format wants them (identifiers): class names with other characters
    /// replaced by `_`, made unique.
    static func channelNames(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.enumerated().map { index, name in
            var id = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
            if id.isEmpty || id.first!.isNumber { id = "c" + id }
            if seen.contains(id) { id += "_\(index)" }
            seen.insert(id)
            return id
        }
    }

    static func rdf(info: ModelInfo, output: UNetGraph.Output, rule: InputSizeRule, maxValue: Int, description: BioImageDescription) -> YAMLValue {
        let c = info.configuration
        func space(_ id: String, _ size: YAMLValue) -> YAMLValue { .map([("type", .string("space")), ("id", .string(id)), ("size", size)]) }
        let inputChannels = c.inputChannels == 1 ? ["gray"] : c.inputChannels == 3 ? ["red", "green", "blue"] : (0..<c.inputChannels).map { "channel\($0)" }
        let parameterized = YAMLValue.map([("min", .int(rule.minimum)), ("step", .int(rule.step))])
        func reference(_ axis: String) -> YAMLValue {
            .map([("tensor_id", .string(inputID)), ("axis_id", .string(axis)), ("offset", .int(-2 * rule.border))])
        }
        let input = YAMLValue.map([
            ("id", .string(inputID)),
            ("description", .string("Raw pixel values 0–\(maxValue); H and W each \(rule.minimum) + k·\(rule.step).")),
            ("axes", .list([.map([("type", .string("batch"))]),
                            .map([("type", .string("channel")), ("channel_names", .list(inputChannels.map { .string($0) }))]),
                            space("y", parameterized), space("x", parameterized)])),
            ("test_tensor", .map([("source", .string(testInputName))])),
            ("data", .map([("type", .string("float32"))])),
            ("preprocessing", .list(BioImagePreprocessing.steps(for: info.normalization, maxValue: maxValue).map(\.yaml))),
        ])
        let outputTensor = YAMLValue.map([
            ("id", .string(output.rawValue)),
            ("description", .string("Per-class \(output == .logits ? "scores (logits, before softmax)" : "probabilities (softmax)"); sides: the input's − \(2 * rule.border) px.")),
            ("axes", .list([.map([("type", .string("batch"))]),
                            .map([("type", .string("channel")), ("channel_names", .list(channelNames(info.classNames).map { .string($0) }))]),
                            space("y", reference("y")), space("x", reference("x"))])),
            ("test_tensor", .map([("source", .string(testOutputName))])),
            ("data", .map([("type", .string("float32"))])),
        ])
        return .map([
            ("format_version", .string(formatVersion)),
            ("type", .string("model")),
            ("name", .string(description.name)),
            ("description", .string(description.summary)),
            ("authors", .list(description.authors.map { .map([("name", .string($0))]) })),
            ("cite", .list(description.citations.map(\.yaml))),
            ("license", .string(description.license)),
            ("documentation", .string(readmeName)),
            ("covers", .list([.string(coverName)])),
            ("tags", .list(["unet", "segmentation", "semantic-segmentation", "2d", "onnx"].map { .string($0) })),
            ("inputs", .list([input])),
            ("outputs", .list([outputTensor])),
            ("weights", .map([("onnx", .map([("source", .string(weightsName)), ("opset_version", .int(ONNXModel.opsetVersion))]))])),
            ("config", .map([("unet", .map([
                ("class_names", .list(info.classNames.map { .string($0) })),
                ("border", .int(rule.border)),
                ("block", .string(c.block.rawValue)), ("depth", .int(c.depth)), ("base_width", .int(c.baseWidth)),
                ("padding", .string(c.padding.rawValue)), ("upsampling", .string(c.upsampling.rawValue)),
            ]))])),
        ])
    }
}
