import Datasets
import NN
import Tensors

/// Predicts class probabilities for whole images of any size by overlap-tile inference:
/// mirror-padded borders, tiles batched for throughput, outputs stitched so that they tile the
/// image exactly. Optionally averages over flips and quarter turns (test-time augmentation).
public final class Predictor {
    public let model: UNet
    public let info: ModelInfo
    public let tileOverride: Int?
    public let memoryBudgetBytes: Int
    public let batchTiles: Int
    public let augmentation: TestTimeAugmentation

    public init(model: UNet, info: ModelInfo, tile: Int? = nil, memoryBudgetBytes: Int = 1 << 30, batchTiles: Int = 4,
                augmentation: TestTimeAugmentation = .none) {
        self.model = model
        self.info = info
        self.tileOverride = tile
        self.memoryBudgetBytes = memoryBudgetBytes
        self.batchTiles = max(1, batchTiles)
        self.augmentation = augmentation
    }

    /// The tile plan used for an image of this size.
    public func plan(height: Int, width: Int) -> TilePlan {
        let c = info.configuration
        let tile = tileOverride ?? TilePlan.tileSize(for: c, budgetBytes: memoryBudgetBytes, batch: batchTiles, height: height, width: width)
        return TilePlan(configuration: c, tile: tile)
    }

    /// Class probabilities [classes, H, W] for a normalised planar image [C, H, W].
    public func probabilities(_ image: [Float], channels: Int, height: Int, width: Int) -> [Float] {
        precondition(channels == info.configuration.inputChannels, "[predict] image has \(channels) channels, model needs \(info.configuration.inputChannels)")
        let wasTraining = model.training
        model.training = false
        defer { model.training = wasTraining }
        let transforms = augmentation.transforms
        guard transforms.count > 1 else { return tiled(image, channels: channels, height: height, width: width) }
        let classes = info.configuration.classes
        let share = 1 / Float(transforms.count)
        var sum = [Float](repeating: 0, count: classes * height * width)
        for t in transforms {
            let size = t.outputSize(height: height, width: width)
            let moved = t.apply(to: image, channels: channels, height: height, width: width)
            let predicted = tiled(moved, channels: channels, height: size.height, width: size.width)
            let p = t.inverse.apply(to: predicted, channels: classes, height: size.height, width: size.width)
            for i in 0..<sum.count { sum[i] += p[i] * share }
        }
        return sum
    }

    private func tiled(_ image: [Float], channels: Int, height: Int, width: Int) -> [Float] {
        let plan = self.plan(height: height, width: width)
        let classes = info.configuration.classes
        var out = [Float](repeating: 0, count: classes * height * width)
        var pending: [(top: Int, left: Int)] = []
        let t = plan.inputSize, m = plan.outputSize
        func flush() {
            guard !pending.isEmpty else { return }
            var input = [Float]()
            input.reserveCapacity(pending.count * channels * t * t)
            for (top, left) in pending {
                input += mirrorWindow(image, channels: channels, height: height, width: width,
                                      top: top - plan.context, left: left - plan.context, outHeight: t, outWidth: t)
            }
            let logits = Tape.withoutRecording { model(Tensor(shape: Shape(pending.count, channels, t, t), scalars: input)) }
            let probs = softmax(logits).scalars
            for (k, (top, left)) in pending.enumerated() {
                let rows = min(m - plan.outputOffset, height - top), cols = min(m - plan.outputOffset, width - left)
                for c in 0..<classes {
                    let src = (k * classes + c) * m * m
                    for y in 0..<rows {
                        let from = src + (y + plan.outputOffset) * m + plan.outputOffset
                        let to = (c * height + top + y) * width + left
                        out.withUnsafeMutableBufferPointer { o in
                            probs.withUnsafeBufferPointer { p in
                                (o.baseAddress! + to).update(from: p.baseAddress! + from, count: cols)
                            }
                        }
                    }
                }
            }
            pending.removeAll()
        }
        for top in plan.origins(length: height) {
            for left in plan.origins(length: width) {
                pending.append((top, left))
                if pending.count == batchTiles { flush() }
            }
        }
        flush()
        return out
    }

    /// Per-pixel argmax of probabilities [classes, H, W] (the first class on ties), on the current backend.
    public static func argmax(_ probabilities: [Float], classes: Int, height: Int, width: Int) -> [Int32] {
        precondition(probabilities.count == classes * height * width, "[argmax] \(probabilities.count) values for \(classes)x\(height)x\(width)")
        return Backend.current.argmaxChannels(Tensor(shape: Shape(1, classes, height, width), scalars: probabilities)).integers
    }
}
