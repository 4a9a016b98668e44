#if canImport(Glibc)
import Glibc
#endif
import Datasets
import NN

/// Scores of a model on whole images: a dataset-level confusion matrix (the headline numbers),
/// per-image matrices, and the mean cross-entropy of the predicted probabilities.
public struct EvaluationResult {
    public var confusion: ConfusionMatrix
    public var perImage: [(name: String, confusion: ConfusionMatrix)]
    public var loss: Double
    /// The sum of the pixels' negative log-likelihoods and the number of pixels (`loss` is their
    /// ratio), for combining the results of several shards.
    public var negativeLogLikelihood: Double = 0
    public var pixels: Int = 0
}

public enum Evaluation {
    /// Predicts every image of `source` (or those of `images`, indices into it) by overlap-tile
    /// inference and compares with its mask.
    public static func run(model: UNet, info: ModelInfo, source: SampleSource, tile: Int? = nil,
                           augmentation: TestTimeAugmentation = .none, images: [Int]? = nil) throws -> EvaluationResult {
        let classes = info.configuration.classes
        let predictor = Predictor(model: model, info: info, tile: tile, augmentation: augmentation)
        var total = ConfusionMatrix(classes: classes)
        var perImage: [(String, ConfusionMatrix)] = []
        var nll: Double = 0, pixels = 0
        for i in images ?? Array(0..<source.count) {
            let sample = try source.sample(i)
            let probs = try predictor.probabilities(sample.image, channels: sample.channels, height: sample.height, width: sample.width)
            let prediction = Predictor.argmax(probs, classes: classes, height: sample.height, width: sample.width)
            let truth = sample.mask!
            var m = ConfusionMatrix(classes: classes)
            m.add(truth: truth, prediction: prediction)
            total.merge(m)
            perImage.append((source.pairs[i].name, m))
            let plane = sample.height * sample.width
            for j in 0..<plane { nll -= log(Double(max(probs[Int(truth[j]) * plane + j], 1e-12))) }
            pixels += plane
        }
        return EvaluationResult(confusion: total, perImage: perImage, loss: nll / Double(max(pixels, 1)),
                                negativeLogLikelihood: nll, pixels: pixels)
    }
}
