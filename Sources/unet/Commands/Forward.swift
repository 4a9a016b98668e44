import ArgumentParser
import Export
import FileSafety
import Foundation
import ImageCodecs
import Tensors
import Training

/// `unet forward` (hidden): the network's raw output for an already normalised [N, C, H, W]
/// array, the computation `unet predict` runs on each tile before its softmax. For comparing
/// exported models with this tool (Tools/check_export.py); not a user-facing command.
struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the network on a normalised .npy array [N, C, H, W] and write its logits as .npy (for checking exports).",
        shouldDisplay: false)

    @Option(help: "Checkpoint (.safetensors) written by unet train.")
    var model: String
    @Option(help: "Normalised input, float32 .npy of shape [N, C, H, W].")
    var input: String
    @Option(help: "Output .npy file.")
    var out: String
    @Flag(help: "Write probabilities (softmax over classes) instead of logits.")
    var softmax = false

    func run() throws {
        let checkpoint = try Checkpoint.read(from: model)
        let net = try checkpoint.makeModel(path: model)
        let c = checkpoint.info.configuration
        try OutputSafety.checkFile(out, option: "--out", against: [.init(path: model, role: "model", isFolder: false),
                                                                  .init(path: input, role: "input array", isFolder: false)])
        let array = try NpyArray(bytes: RegularFile.read(input, maxBytes: 1 << 32), path: input)
        guard array.shape.count == 4, array.shape[1] == c.inputChannels else {
            throw CommandFailure("\(input): shape \(array.shape) is not [N, \(c.inputChannels), H, W] for this \(c.inputChannels)-channel model")
        }
        let rule = InputSizeRule(c)
        for (axis, side) in [("H", array.shape[2]), ("W", array.shape[3])] where rule.output(forInput: side) == nil {
            throw CommandFailure("\(input): \(axis) = \(side) is not a valid input size; \(rule.text)")
        }
        net.training = false
        let logits = Tape.withoutRecording { net(Tensor(shape: Shape(array.shape), scalars: array.values)) }
        let result = softmax ? Tensors.softmax(logits) : logits
        try AtomicFile.write(NpyArray(shape: result.shape.dims, values: result.scalars).encoded(), to: out)
    }
}
