import Datasets
import NN
import Tensors

/// Prediction of an image was stopped between tiles (a stop request: Ctrl-C, SIGTERM).
public struct PredictionStopped: Error, CustomStringConvertible {
    public var description: String { "stopped between tiles" }
}

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

    /// The tiles used for an image of this size: square ones of the size given, else the
    /// automatic layout for the image's shape and the memory budget.
    public func plan(height: Int, width: Int) -> TileLayout {
        let c = info.configuration
        if let tileOverride { return TileLayout(configuration: c, tile: tileOverride) }
        return TileLayout.automatic(for: c, budgetBytes: memoryBudgetBytes, batch: batchTiles, height: height, width: width)
    }

    /// Class probabilities [classes, H, W] for a normalised planar image [C, H, W]. `shouldStop`
    /// is asked between forward passes; when it says yes, `PredictionStopped` is thrown within
    /// one pass of tiles (a signal need not wait for a whole large image).
    public func probabilities(_ image: [Float], channels: Int, height: Int, width: Int,
                              shouldStop: () -> Bool = { false }) throws -> [Float] {
        precondition(channels == info.configuration.inputChannels, "[predict] image has \(channels) channels, model needs \(info.configuration.inputChannels)")
        let wasTraining = model.training
        model.training = false
        defer { model.training = wasTraining }
        let transforms = augmentation.transforms
        guard transforms.count > 1 else { return try tiled(image, channels: channels, height: height, width: width, shouldStop: shouldStop) }
        let classes = info.configuration.classes
        let share = 1 / Float(transforms.count)
        var sum = [Float](repeating: 0, count: classes * height * width)
        for t in transforms {
            let size = t.outputSize(height: height, width: width)
            let moved = t.apply(to: image, channels: channels, height: height, width: width)
            let predicted = try tiled(moved, channels: channels, height: size.height, width: size.width, shouldStop: shouldStop)
            let p = t.inverse.apply(to: predicted, channels: classes, height: size.height, width: size.width)
            for i in 0..<sum.count { sum[i] += p[i] * share }
        }
        return sum
    }

    private func tiled(_ image: [Float], channels: Int, height: Int, width: Int, shouldStop: () -> Bool) throws -> [Float] {
        let layout = self.plan(height: height, width: width)
        let (rows, columns) = (layout.rows, layout.columns)
        let classes = info.configuration.classes
        var out = [Float](repeating: 0, count: classes * height * width)
        var pending: [(top: Int, left: Int)] = []
        let (th, tw) = (rows.inputSize, columns.inputSize), (mh, mw) = (rows.outputSize, columns.outputSize)
        func flush() throws {
            guard !pending.isEmpty else { return }
            // Between passes: a stop request ends the image here; nothing of it is written.
            if shouldStop() { throw PredictionStopped() }
            var input = [Float]()
            input.reserveCapacity(pending.count * channels * th * tw)
            for (top, left) in pending {
                input += mirrorWindow(image, channels: channels, height: height, width: width,
                                      top: top - rows.context, left: left - columns.context, outHeight: th, outWidth: tw)
            }
            let logits = Tape.withoutRecording { model(Tensor(shape: Shape(pending.count, channels, th, tw), scalars: input)) }
            let probs = softmax(logits).scalars
            for (k, (top, left)) in pending.enumerated() {
                let count = min(mh - rows.outputOffset, height - top), cols = min(mw - columns.outputOffset, width - left)
                for c in 0..<classes {
                    let src = (k * classes + c) * mh * mw
                    for y in 0..<count {
                        let from = src + (y + rows.outputOffset) * mw + columns.outputOffset
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
        for top in rows.origins(length: height) {
            for left in columns.origins(length: width) {
                pending.append((top, left))
                if pending.count == batchTiles { try flush() }
            }
        }
        try flush()
        return out
    }

    /// Per-pixel argmax of probabilities [classes, H, W] (the first class on ties), on the current backend.
    public static func argmax(_ probabilities: [Float], classes: Int, height: Int, width: Int) -> [Int32] {
        precondition(probabilities.count == classes * height * width, "[argmax] \(probabilities.count) values for \(classes)x\(height)x\(width)")
        return Backend.current.argmaxChannels(Tensor(shape: Shape(1, classes, height, width), scalars: probabilities)).integers
    }
}
