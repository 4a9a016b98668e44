import Datasets
import FileSafety
import Foundation
import NN
import Tensors

/// What the Trainer builds from the data: the patch batcher, rare classes, class weights, whether
/// a resumed model fits the data, and how many workers prepare batches.
extension Trainer {
    /// The usual training batches: random patches of the training images (as many per image as
    /// `options.sampling` asks), augmented as `options` say, normalised with `normalization`,
    /// some placed on rare classes when `options.oversample` asks.
    public static func patchBatcher(for data: PreparedData, options: TrainingOptions, normalization: InputNormalization,
                                    rank: Int = 0, worldSize: Int = 1) throws -> PatchBatcher {
        let weightMap = options.weightMap ? BorderWeightMap() : nil
        let source = SampleSource(pairs: data.train, channels: options.model.inputChannels, classCount: options.model.classes, classMap: data.classMap,
                                  maskEncoding: data.maskEncoding, normalization: normalization, weightMap: weightMap, normalizesImages: false)
        let patch = options.effectivePatchSize
        let crop = PatchCrop(inputSize: patch, outputSize: options.model.outputSize(forInput: patch)!)
        let counts: [Int]
        if let sampling = options.sampling {
            let sizes = try data.train.map { pair in
                let header = try data.header(of: pair)
                return (height: header.height, width: header.width)
            }
            counts = PatchBatcher.patchCounts(sampling: sampling, sizes: sizes, outputSize: crop.outputSize)
        } else {
            let first = try data.header(of: data.train[0])
            counts = [PatchBatcher.patchesToCover(height: first.height, width: first.width, outputSize: crop.outputSize)]
        }
        let focus = (options.oversample ?? 0) > 0
            ? RareClassFocus(classes: focusClasses(data.histogram).map(Int32.init), probability: options.oversample!) : nil
        let policy = AugmentationPolicy(flips: options.flips, rotations: options.rotations,
                                        elastic: options.elastic ? ElasticDeformation() : nil,
                                        intensity: options.intensity ? IntensityAugmentation() : nil)
        return PatchBatcher(source: source, batchSize: options.batchSize, crop: crop, augmentation: policy,
                            patchCounts: counts, focus: focus, seed: options.seed, rank: rank, worldSize: worldSize)
    }

    /// The classes that oversampling places patches on: those with under 10% of the training
    /// pixels (the planner's rule for a rare class), or when none is, every class but the most
    /// frequent one.
    static func focusClasses(_ histogram: [Int]) -> [Int] {
        let total = Double(max(histogram.reduce(0, +), 1))
        let rare = histogram.indices.filter { histogram[$0] > 0 && Double(histogram[$0]) / total < Planner.rareShare }
        if !rare.isEmpty { return rare }
        guard let most = histogram.indices.max(by: { histogram[$0] < histogram[$1] }) else { return [] }
        return histogram.indices.filter { $0 != most }
    }

    /// Refuses data that the resumed model cannot take: colour images for a gray model
    /// (gray images for an RGB model are repeated into 3 channels, which is well defined).
    static func checkFits(_ data: PreparedData, _ model: UNetConfiguration) throws {
        guard data.channels > model.inputChannels else { return }
        let colour = try (data.train + data.validation).first { try data.header(of: $0).channels >= 3 }
        throw TrainingError.dataMismatch("the resumed model takes \(model.inputChannels) channel(s) (gray), but the data has colour images"
            + (colour.map { " (e.g. \($0.imagePath))" } ?? "") + "; resume with the data the run was trained on, or start a new run")
    }

    /// Inverse class frequency normalised to mean 1 over present classes, clipped to [0.1, 10].
    static func inverseFrequencyWeights(_ histogram: [Int]) -> [Float] {
        let total = Double(histogram.reduce(0, +))
        let present = histogram.filter { $0 > 0 }.count
        var w = histogram.map { $0 > 0 ? total / (Double(present) * Double($0)) : 1 }
        w = w.map { min(max($0, 0.1), 10) }
        return w.map(Float.init)
    }

    /// The data workers without `--workers`: a host backend computes on every core, so one worker
    /// prepares batches beside it; a device backend leaves the cores to the data pipeline, which
    /// must keep up with the GPU (all but two, at most 8). Prefetch is bounded at twice the workers
    /// (at least 3 batches ahead).
    public static func defaultDataWorkers(device: Device, cores: Int) -> Int {
        device == .host ? 1 : max(1, min(8, cores - 2))
    }
}
