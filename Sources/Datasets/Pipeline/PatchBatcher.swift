import Tensors

/// Builds the batch of any training step deterministically from (seed, step): the epoch's
/// order is a seeded shuffle of every image repeated `patchesPerImage` times, and each patch's
/// position and augmentation come from a generator seeded by (seed, step, slot). A run resumed
/// at step k therefore sees exactly the batches an uninterrupted run would.
///
/// Data-parallel: with `worldSize` W, a step draws a global batch of `batchSize`·W patches (slot
/// g of the global batch is the patch that a single rank with batch `batchSize`·W draws in its
/// slot g) and rank r takes slots r·B..<(r+1)·B. The shards of a step are disjoint and together
/// are exactly that single rank's batch; an epoch has the single rank's number of steps.
public struct PatchBatcher: BatchSource {
    public let source: SampleSource
    /// Patches per step on this rank (the global batch is `batchSize · worldSize`).
    public let batchSize: Int
    public let rank: Int
    public let worldSize: Int
    public let crop: PatchCrop
    public let augmentation: AugmentationPolicy
    public let patchesPerImage: Int
    public let seed: UInt64
    /// Context kept around a patch while augmenting, so rotations and elastic warps pull real
    /// pixels into the patch instead of mirrored ones.
    public let augmentationMargin: Int

    public init(source: SampleSource, batchSize: Int, crop: PatchCrop, augmentation: AugmentationPolicy,
                patchesPerImage: Int, seed: UInt64, rank: Int = 0, worldSize: Int = 1) {
        precondition(batchSize >= 1 && patchesPerImage >= 1 && source.count >= 1, "[PatchBatcher] empty configuration")
        precondition(worldSize >= 1 && (0..<worldSize).contains(rank), "[PatchBatcher] rank \(rank) of \(worldSize)")
        self.source = source
        self.batchSize = batchSize
        self.rank = rank
        self.worldSize = worldSize
        self.crop = crop
        self.augmentation = augmentation
        self.patchesPerImage = patchesPerImage
        self.seed = seed
        self.augmentationMargin = augmentation.elastic == nil ? 0 : 24
    }

    /// Patches per step over all ranks.
    public var globalBatchSize: Int { batchSize * worldSize }

    /// Steps in one epoch: enough global batches for every image's `patchesPerImage` patches.
    public var stepsPerEpoch: Int { (source.count * patchesPerImage + globalBatchSize - 1) / globalBatchSize }

    /// A patch count per image so that an epoch covers each image's area about once.
    public static func patchesToCover(height: Int, width: Int, outputSize: Int) -> Int {
        max(1, Int((Double(height * width) / Double(outputSize * outputSize)).rounded()))
    }

    static func mix(_ values: UInt64...) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for v in values { h = (h ^ v) &* 0x9E37_79B9_7F4A_7C15; h ^= h >> 29 }
        return h
    }

    /// The image indices of epoch `epoch`, in order.
    public func order(epoch: Int) -> [Int] {
        var order = (0..<source.count).flatMap { Array(repeating: $0, count: patchesPerImage) }
        var rng = SeededGenerator(seed: PatchBatcher.mix(seed, 0xE90C, UInt64(epoch)))
        order.shuffle(using: &rng)
        return order
    }

    /// This rank's shard of the batch of global step `step` (0-based).
    public func batch(step: Int) throws -> Batch {
        let epoch = step / stepsPerEpoch, inEpoch = step % stepsPerEpoch
        let order = self.order(epoch: epoch)
        let p = crop.inputSize, o = crop.outputSize, c = source.channels
        var inputs = [Float](repeating: 0, count: batchSize * c * p * p)
        var targets = [Int32](repeating: 0, count: batchSize * o * o)
        var weights: [Float]? = source.weightMap == nil ? nil : [Float](repeating: 0, count: batchSize * o * o)
        for slot in 0..<batchSize {
            let global = rank * batchSize + slot
            let index = order[(inEpoch * globalBatchSize + global) % order.count]
            var rng = SeededGenerator(seed: PatchBatcher.mix(seed, UInt64(step), UInt64(global)))
            var patch = try self.patch(from: source.sample(index), rng: &rng)
            if !source.normalizesImages { source.normalization.apply(to: &patch.image) }
            inputs.replaceSubrange((slot * c * p * p)..<((slot + 1) * c * p * p), with: patch.image)
            targets.replaceSubrange((slot * o * o)..<((slot + 1) * o * o), with: patch.mask!)
            if let w = patch.weights { weights!.replaceSubrange((slot * o * o)..<((slot + 1) * o * o), with: w) }
        }
        return Batch(inputs: inputs, targets: targets, weights: weights, size: batchSize, channels: c, inputSize: p, outputSize: o)
    }

    /// A random patch: pick the output window inside the image, cut it with context, augment, crop.
    func patch(from sample: Sample, rng: inout SeededGenerator) -> Sample {
        let o = crop.outputSize, m = crop.margin, extra = augmentationMargin
        func start(_ extent: Int) -> Int {
            extent <= o ? -(o - extent) / 2 : Int(rng.next() % UInt64(extent - o + 1))
        }
        let top = start(sample.height), left = start(sample.width)
        let outer = PatchCrop(size: crop.inputSize + 2 * extra)
        let window = outer.crop(sample, inputTop: top - m - extra, inputLeft: left - m - extra)
        let augmented = augmentation.apply(to: window, rng: &rng)
        return crop.crop(augmented, inputTop: extra, inputLeft: extra)
    }
}
