import Tensors

/// Builds the batch of any training step deterministically from (seed, step): the epoch's
/// order is a seeded shuffle of every image repeated its `patchCounts` times (see
/// `PatchSampling`), and each patch's position and augmentation come from a generator seeded by
/// (seed, step, slot). A run resumed at step k therefore sees exactly the batches an
/// uninterrupted run would.
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
    /// Patches drawn from each image in one epoch.
    public let patchCounts: [Int]
    /// Rare-class oversampling (nil: every window placed uniformly).
    public let focus: RareClassFocus?
    public let seed: UInt64
    /// Context kept around a patch while augmenting, so rotations and elastic warps pull real
    /// pixels into the patch instead of mirrored ones.
    public let augmentationMargin: Int

    /// `patchCounts` holds one count per image of `source`, or a single count for every image.
    public init(source: SampleSource, batchSize: Int, crop: PatchCrop, augmentation: AugmentationPolicy,
                patchCounts: [Int], focus: RareClassFocus? = nil, seed: UInt64, rank: Int = 0, worldSize: Int = 1) {
        let counts = patchCounts.count == 1 ? Array(repeating: patchCounts[0], count: source.count) : patchCounts
        precondition(batchSize >= 1 && source.count >= 1 && counts.count == source.count && counts.allSatisfy { $0 >= 1 },
                     "[PatchBatcher] empty configuration")
        precondition(focus.map { (0...1).contains($0.probability) } ?? true, "[PatchBatcher] focus probability outside [0, 1]")
        precondition(worldSize >= 1 && (0..<worldSize).contains(rank), "[PatchBatcher] rank \(rank) of \(worldSize)")
        self.source = source
        self.batchSize = batchSize
        self.rank = rank
        self.worldSize = worldSize
        self.crop = crop
        self.augmentation = augmentation
        self.patchCounts = counts
        self.focus = focus
        self.seed = seed
        self.augmentationMargin = augmentation.elastic == nil ? 0 : 24
    }

    /// Patches per step over all ranks.
    public var globalBatchSize: Int { batchSize * worldSize }

    /// Steps in one epoch: enough global batches for every image's patches.
    public var stepsPerEpoch: Int { (patchCounts.reduce(0, +) + globalBatchSize - 1) / globalBatchSize }

    /// A patch count per image so that an epoch covers each image's area about once.
    public static func patchesToCover(height: Int, width: Int, outputSize: Int) -> Int {
        max(1, Int((Double(height * width) / Double(outputSize * outputSize)).rounded()))
    }

    /// Patches per image in one epoch for images of `sizes` (height, width): with `.image`, the
    /// same count for every image, enough to cover the median image once; with `.area`, each
    /// image's own cover. Either way an epoch covers about the dataset's area once.
    public static func patchCounts(sampling: PatchSampling, sizes: [(height: Int, width: Int)], outputSize: Int) -> [Int] {
        switch sampling {
        case .area:
            return sizes.map { patchesToCover(height: $0.height, width: $0.width, outputSize: outputSize) }
        case .image:
            let areas = sizes.map { Double($0.height * $0.width) }.sorted()
            let median = areas.isEmpty ? 0 : (areas[(areas.count - 1) / 2] + areas[areas.count / 2]) / 2
            let count = max(1, Int((median / Double(outputSize * outputSize)).rounded()))
            return Array(repeating: count, count: sizes.count)
        }
    }

    static func mix(_ values: UInt64...) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for v in values { h = (h ^ v) &* 0x9E37_79B9_7F4A_7C15; h ^= h >> 29 }
        return h
    }

    /// The image indices of epoch `epoch`, in order.
    public func order(epoch: Int) -> [Int] {
        var order = (0..<source.count).flatMap { Array(repeating: $0, count: patchCounts[$0]) }
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
            // Drawn only with a focus, so that runs without one keep their batches.
            let focused = focus.map { Double(rng.next() >> 11) * 0x1p-53 < $0.probability } ?? false
            var patch = try self.patch(from: source.sample(index), focused: focused, rng: &rng)
            if !source.normalizesImages { source.normalization.apply(to: &patch.image) }
            inputs.replaceSubrange((slot * c * p * p)..<((slot + 1) * c * p * p), with: patch.image)
            targets.replaceSubrange((slot * o * o)..<((slot + 1) * o * o), with: patch.mask!)
            if let w = patch.weights { weights!.replaceSubrange((slot * o * o)..<((slot + 1) * o * o), with: w) }
        }
        return Batch(inputs: inputs, targets: targets, weights: weights, size: batchSize, channels: c, inputSize: p, outputSize: o)
    }

    /// A random patch: pick the output window inside the image (`focused`: around a pixel of a
    /// rare class, when the image has one), cut it with context, augment, crop.
    func patch(from sample: Sample, focused: Bool, rng: inout SeededGenerator) -> Sample {
        let o = crop.outputSize, m = crop.margin, extra = augmentationMargin
        func start(_ extent: Int) -> Int {
            extent <= o ? -(o - extent) / 2 : Int(rng.next() % UInt64(extent - o + 1))
        }
        /// A window start whose window holds `position`, uniform among those inside the image.
        func start(_ extent: Int, holding position: Int) -> Int {
            guard extent > o else { return -(o - extent) / 2 }
            let lowest = max(0, position - o + 1), highest = min(extent - o, position)
            return lowest + Int(rng.next() % UInt64(highest - lowest + 1))
        }
        let top: Int, left: Int
        if focused, let focus, let pixel = Self.focusPixel(sample, classes: focus.classes, rng: &rng) {
            top = start(sample.height, holding: pixel / sample.width)
            left = start(sample.width, holding: pixel % sample.width)
        } else {
            top = start(sample.height)
            left = start(sample.width)
        }
        let outer = PatchCrop(size: crop.inputSize + 2 * extra)
        let window = outer.crop(sample, inputTop: top - m - extra, inputLeft: left - m - extra)
        let augmented = augmentation.apply(to: window, rng: &rng)
        return crop.crop(augmented, inputTop: extra, inputLeft: extra)
    }

    /// A pixel index (row-major) drawn uniformly among the sample's pixels of `classes`; nil
    /// when it has none.
    static func focusPixel(_ sample: Sample, classes: [Int32], rng: inout SeededGenerator) -> Int? {
        guard let mask = sample.mask, sample.labelHeight == sample.height, sample.labelWidth == sample.width else { return nil }
        var wanted = [Bool](repeating: false, count: Int(classes.max() ?? 0) + 1)
        for c in classes where c >= 0 { wanted[Int(c)] = true }
        func isWanted(_ c: Int32) -> Bool { c >= 0 && Int(c) < wanted.count && wanted[Int(c)] }
        let count = mask.reduce(0) { isWanted($1) ? $0 + 1 : $0 }
        guard count > 0 else { return nil }
        var k = Int(rng.next() % UInt64(count))
        for (i, c) in mask.enumerated() where isWanted(c) {
            if k == 0 { return i }
            k -= 1
        }
        return nil
    }
}
