import Foundation
import Training

/// The README of an exported package: what the model does, how it was trained (from the
/// checkpoint's stored run options and state, when it has them), how to feed it, and its limits.
enum ModelCard {
    static func text(checkpoint: Checkpoint, output: UNetGraph.Output, rule: InputSizeRule, maxValue: Int,
                     description: BioImageDescription, files: (weights: String, input: String, output: String)) -> String {
        let info = checkpoint.info, c = info.configuration, n = info.normalization
        var s = "# \(description.name)\n\n\(description.summary)\n\n"
        s += "Exported by `unet export --format bioimageio` from `\((checkpoint.source as NSString).lastPathComponent)`.\n\n"
        s += "## Model\n\n"
        s += "- U-Net, depth \(c.depth), \(c.baseWidth) channels at full resolution (×\(c.widthMultiplier) per level), \(c.block.rawValue) blocks, "
            + "\(c.padding.rawValue) padding, \(c.upsampling.rawValue) up-sampling, batch norm \(c.batchNorm ? (c.block == .preact ? "on (folded into the convolution before it; each block's first one is a BatchNormalization operator)" : "on (folded into the convolutions)") : "off").\n"
        s += "- Classes: " + info.classNames.enumerated().map { "\($0.offset) `\($0.element)`" }.joined(separator: ", ") + ".\n"
        s += "- Output `\(output.rawValue)`: " + (output == .logits ? "per-class scores before softmax; the predicted class is the largest.\n"
                                                                  : "per-class probabilities (softmax over classes).\n")
        s += "- Input sizes: \(rule.text). The output pixel (y, x) corresponds to the input pixel (y + \(rule.border), x + \(rule.border)); "
            + "for a whole image, mirror-pad it by \(rule.border) pixels per side (as `unet predict` does) or tile it with overlaps.\n"
        switch n.scheme {
        case .dataset:
            s += "- Preprocessing: pixel / \(maxValue) (the image's maximum value), then per channel (x − mean) / std with mean \(n.mean) and std \(n.std).\n"
        case .percentile(let low, let high):
            s += "- Preprocessing: per image and channel, the \(low) and \(high) percentiles map to 0 and 1 (clipped to [0, 1]), then per channel (x − mean) / std with mean \(n.mean) and std \(n.std).\n"
        }
        s += "- Weights: `\(files.weights)` (ONNX opset \(ONNXModel.opsetVersion), float32). Test tensors: `\(files.input)` (raw pixels), `\(files.output)`.\n\n"
        s += "## Training\n\n"
        if let run = checkpoint.runOptions {
            let data = run.dataRoot ?? [run.imagesDirectory, run.masksDirectory].compactMap { $0 }.joined(separator: " + ")
            s += "- Data: `\(data.isEmpty ? "not recorded" : data)`"
            s += run.validationRoot.map { "; validation `\($0)`.\n" } ?? "; validation: a seeded \(Int(run.validationFraction * 100))% split (or the folder's split.json).\n"
            var command = "unet train --data \(data) --depth \(c.depth) --width \(c.baseWidth) --block \(c.block.rawValue) --padding \(c.padding.rawValue)"
                + " --upsampling \(c.upsampling.rawValue) --batch-size \(run.batchSize) --lr \(run.learningRate) --seed \(run.seed)"
            if let steps = run.steps { command += " --steps \(steps)" } else if let epochs = run.epochs { command += " --epochs \(epochs)" }
            if let patch = run.patchSize { command += " --patch-size \(patch)" }
            s += "- Command (reconstructed from the stored options): `\(command)`\n"
            s += "- Loss `\(run.loss.rawValue)`, optimizer `\(run.optimizer.rawValue)`, schedule `\(run.schedule.rawValue)`; augmentation: "
                + [("flips", run.flips), ("rotations", run.rotations), ("elastic", run.elastic), ("intensity", run.intensity)]
                .filter(\.1).map(\.0).joined(separator: ", ") + ".\n"
        } else {
            s += "- The checkpoint does not record its training run.\n"
        }
        if let t = checkpoint.training { s += "- Trained for \(t.step) steps (\(t.epoch) epoch\(t.epoch == 1 ? "" : "s")).\n" }
        s += "\n## Validation\n\n"
        if let t = checkpoint.training, let iou = t.bestMeanIoU {
            s += String(format: "- Best validation mean IoU %.4f", iou) + (t.bestEpoch.map { " at epoch \($0)" } ?? "")
                + " of \(t.epoch) (\(t.step) steps), on the validation data described above.\n"
        } else {
            s += "- The checkpoint stores no validation metrics.\n"
        }
        s += "- The package's test output is this tool's own result for the test input; the exported ONNX graph reproduces `unet`'s "
            + "logits to within 1e-4 (checked with onnxruntime by Tools/check_export.py).\n"
        s += "\n## Limitations\n\n"
        s += "- Only as good as its training data: expect errors on images unlike it (other modality, magnification, staining, noise).\n"
        s += "- The metrics above are on the validation data chosen at training time, which also chose the checkpoint when it is `best`; "
            + "measure on your own held-out data before relying on it.\n"
        s += "- The network sees \(rule.border) pixels of context per side and returns no prediction for them: predict whole images by padding or tiling.\n"
        s += "- Inputs are scaled by the maximum of their type (\(maxValue)); images of another bit depth need the matching scale.\n"
        return s
    }
}
