import NN
import Tensors

/// The ONNX graph of a U-Net: input `input` [N, C, H, W] with symbolic N, H, W; output the
/// per-class `logits` [N, classes, H′, W′] (or `probabilities`, a softmax over classes), with
/// H′ = H − 2·border. Batch norm is folded as described in `ONNXGraphBuilder+Blocks`; dropout,
/// an identity at inference, is left out. Normalisation is not in the graph: inputs are
/// normalised as the metadata says, exactly what `unet predict` feeds its network.
public enum UNetGraph {
    public enum Output: String, Sendable { case logits, probabilities }

    public static let inputName = "input"

    /// Builds the graph from a checkpoint's configuration and tensors (names as `UNet` lists them).
    public static func build(configuration c: UNetConfiguration, weights: [String: Tensor], source: String,
                             output: Output) throws -> ONNXModel {
        var g = ONNXGraphBuilder(graphName: "unet", weights: weights, source: source)
        let valid = c.padding == .valid
        let margins = skipCropMargins(c)
        var skips: [String] = []
        var h = inputName
        for l in 0..<c.depth {
            h = try g.block(c.block, h, "encoder.\(l)", valid: valid)
            skips.append(h)
            h = g.maxPool2x2(h, "encoder.\(l).pool")
        }
        h = try g.block(c.block, h, "encoder.\(c.depth)", valid: valid)
        for l in (0..<c.depth).reversed() {
            let prefix = "decoder.\(l)"
            let up: String
            switch c.upsampling {
            case .transposed:
                up = g.convTranspose(h, "\(prefix).up", weight: try g.tensor("\(prefix).up.weight"), bias: g.optionalTensor("\(prefix).up.bias"))
            case .nearest:
                let doubled = g.resizeNearest2x(h, "\(prefix).resize")
                up = try g.convNorm(doubled, prefix, "up", nil, padding: 0)
            }
            let skip = g.crop(skips[l], "\(prefix).skip_crop", top: margins[l].top, bottom: margins[l].bottom)
            h = try g.block(c.block, g.concatChannels([skip, up], "\(prefix).concat"), prefix, valid: valid)
        }
        let head = try g.tensor("head.weight")
        h = g.conv(h, "head", weight: head.scalars, shape: head.shape.dims, bias: g.optionalTensor("head.bias")?.scalars, padding: 0)
        if output == .probabilities { h = g.softmaxChannels(h, "softmax") }
        g.rename(h, to: output.rawValue)

        let rule = InputSizeRule(c)
        g.model.inputs = [ONNXValueInfo(name: inputName, shape: [.symbol("N"), .value(c.inputChannels), .symbol("H"), .symbol("W")],
                                        docString: "Normalised image: (pixel / max value − mean[c]) / std[c]. \(rule.text).")]
        g.model.outputs = [ONNXValueInfo(name: output.rawValue, shape: [.symbol("N"), .value(c.classes), .symbol("H_out"), .symbol("W_out")],
                                         docString: output == .logits ? "Per-class scores before softmax; H_out = H − \(2 * rule.border), W_out = W − \(2 * rule.border)."
                                            : "Per-class probabilities (softmax over classes); H_out = H − \(2 * rule.border), W_out = W − \(2 * rule.border).")]
        return g.model
    }

    /// Per decoder level, the rows (and columns) removed before and after the encoder's map to
    /// match the up-sampled one. Constant for every valid input: each stage changes sizes by a
    /// fixed amount after halving or doubling, so the difference does not depend on the input.
    static func skipCropMargins(_ c: UNetConfiguration) -> [(top: Int, bottom: Int)] {
        func differences(_ n: Int) -> [Int] {
            let loss = c.padding == .valid ? 2 * c.block.threeByThreeCount : 0
            var s = n, encoder: [Int] = []
            for _ in 0..<c.depth { s -= loss; encoder.append(s); s /= 2 }
            s -= loss
            var diff = [Int](repeating: 0, count: c.depth)
            for l in (0..<c.depth).reversed() { diff[l] = encoder[l] - 2 * s; s = 2 * s - loss }
            return diff
        }
        let rule = InputSizeRule(c)
        let d = differences(rule.minimum)
        precondition(d == differences(rule.minimum + 3 * rule.step), "[UNetGraph] skip crops depend on the input size")
        // centerCrop's top is ⌊difference / 2⌋.
        return d.map { (top: $0 / 2, bottom: $0 - $0 / 2) }
    }
}
