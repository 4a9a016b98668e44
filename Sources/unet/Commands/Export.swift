import ArgumentParser
import Export
import FileSafety
import Foundation
import ImageCodecs
import Training

/// What `unet export` writes.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case onnx
    case bioimageio
}

/// `unet export`: a checkpoint as an ONNX model, or as a BioImage Model Zoo package.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a model as ONNX, or as a bioimage.io package (ONNX weights, rdf.yaml, test tensors).",
        discussion: """
        ONNX (opset 17, float32, batch norm folded): input 'input' [N, C, H, W] with symbolic N, H, W, \
        normalised as the model's metadata says; output 'logits' [N, classes, H', W'] (or \
        'probabilities' with --softmax). The metadata holds class names, normalisation and which \
        H, W are valid. bioimage.io (model description format 0.5): --out ending in .zip writes a \
        zip, otherwise a folder; --author, --license and --cite are required, --test-image gives \
        the package's test input and cover.
        """)

    @Option(help: "Checkpoint (.safetensors) written by unet train.")
    var model: String
    @Option(help: "onnx or bioimageio.")
    var format: ExportFormat
    @Option(name: .customLong("out"), help: "Output: a .onnx file; for bioimageio a folder, or a file ending in .zip.")
    var out: String
    @Flag(help: "Output probabilities (softmax over classes) instead of logits.")
    var softmax = false
    @Option(name: .customLong("test-image"), help: "bioimageio: an image like those the model segments (any format unet reads), for the test tensors and the cover; centre-cropped to at most 256×256.")
    var testImage: String?
    @Option(name: .customLong("author"), help: "bioimageio: an author's name (repeat for several).")
    var authors: [String] = []
    @Option(help: "bioimageio: licence of the weights, an SPDX identifier (e.g. MIT, CC-BY-4.0).")
    var license: String?
    @Option(name: .customLong("cite"), help: "bioimageio: a citation, its text ending with a DOI (10.…) or an http(s) URL (repeat for several).")
    var citations: [String] = []
    @Option(help: "bioimageio: the model's name (default: derived from the classes).")
    var name: String?
    @Option(help: "bioimageio: a one-line description (default: derived from the model).")
    var description: String?
    @Flag(help: "Replace an existing --out (a file, or the package's files in a folder) that unet export did not write; never an input.")
    var overwrite = false
    @Flag(name: .customLong("color-to-gray"), help: "bioimageio: convert a colour test image to gray by luminance for a gray model.")
    var colorToGray = false

    func validate() throws {
        if format == .onnx {
            for (given, option) in [(testImage != nil, "--test-image"), (!authors.isEmpty, "--author"), (license != nil, "--license"),
                                    (!citations.isEmpty, "--cite"), (name != nil, "--name"), (description != nil, "--description")] where given {
                throw ValidationError("\(option) is for --format bioimageio; an ONNX file has no place for it")
            }
        }
    }

    func run() throws {
        let checkpoint = try Checkpoint.read(from: model)
        let output: UNetGraph.Output = softmax ? .probabilities : .logits
        var inputs = [OutputSafety.Input(path: model, role: "model", isFolder: false)]
        if let testImage { inputs.append(.init(path: testImage, role: "test image", isFolder: false)) }
        switch format {
        case .onnx:
            try OutputSafety.checkFile(out, option: "--out", against: inputs)
            try ExportTarget.checkReplaceable(out, kind: .onnx, overwrite: overwrite)
            let onnx = try ONNXExport.model(from: checkpoint, output: output)
            try AtomicFile.write(onnx.serialized(), to: out)
            let rule = InputSizeRule(checkpoint.info.configuration)
            print("wrote \(out): ONNX opset \(ONNXModel.opsetVersion), \(onnx.nodes.count) operators, output '\(output.rawValue)'; \(rule.text)")
        case .bioimageio:
            try BioImageExport(command: self, checkpoint: checkpoint, output: output, inputs: inputs).run()
        }
    }
}
