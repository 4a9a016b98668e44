import ArgumentParser
import Training

/// `unet info`: what a checkpoint holds.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a checkpoint's model, sizes and classes.")

    @Argument(help: "Checkpoint (.safetensors).")
    var checkpoint: String

    func run() throws {
        let ck = try Checkpoint.read(from: checkpoint)
        let model = try ck.makeModel(path: checkpoint)
        let c = ck.info.configuration
        print("checkpoint   \(checkpoint)")
        print("model        U-Net, depth \(c.depth), width \(c.baseWidth) ×\(c.widthMultiplier) per level, \(c.block.rawValue) blocks, \(c.padding.rawValue) padding, \(c.upsampling.rawValue) up-sampling, batch norm \(c.batchNorm ? "on" : "off"), dropout \(c.dropout)")
        print("parameters   \(model.parameterCount)")
        let n = ck.info.normalization
        switch n.scheme {
        case .dataset:
            print("input        \(c.inputChannels) channel(s), normalised by mean \(n.mean) std \(n.std)")
        case .percentile(let low, let high):
            print("input        \(c.inputChannels) channel(s), normalised per image: percentiles \(low) and \(high) to 0 and 1 (clipped), then mean \(n.mean) std \(n.std)")
        }
        let m = c.minimumInput
        let examples = [m, c.nearestValidInput(to: 256), c.nearestValidInput(to: 572)].map { "\($0)→\(c.outputSize(forInput: $0)!)" }
        print("sizes        valid inputs (input→output): \(examples.joined(separator: ", ")); border \(c.borderPerSide) px per side; receptive field \(c.receptiveField) px")
        print("classes      " + ck.info.classNames.enumerated().map { "\($0.offset) \($0.element) \(ck.info.palette[$0.offset])" }.joined(separator: ", "))
        if let t = ck.training {
            print("training     step \(t.step), epoch \(t.epoch), best validation mean IoU \(t.bestMeanIoU.map { String(format: "%.4f", $0) } ?? "-") at epoch \(t.bestEpoch.map(String.init) ?? "-")")
        }
    }
}
