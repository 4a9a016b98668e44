import Datasets
import FileSafety
import Foundation
import NN
import Tensors

/// The end of an epoch: validation (with recomputed batch-norm statistics when asked), metrics,
/// curves, `best` and `last`, and the checks that no weight stopped being finite.
extension Trainer {
    func endEpoch(trainLoss: Double, seconds: Double, progress: TrainingProgress, final: Bool) throws {
        var row = EpochMetrics(epoch: state.epoch, step: state.step, trainLoss: trainLoss, validationLoss: nil,
                               perClassIoU: Array(repeating: nil, count: options.model.classes), meanIoU: nil, meanDice: nil,
                               pixelAccuracy: nil, learningRate: Double(schedule.rate(atStep: max(0, state.step - 1))), seconds: seconds)
        if options.batchNormStatistics == .recomputed && options.model.batchNorm { try recomputeBatchNormStatistics() }
        // Every rank validates and saves the model with the averaged running statistics.
        combineRunningStatistics()
        if let source = validationSource, state.epoch % options.validateEvery == 0 || final {
            let result = try validate(source, model: evaluatedModel)
            // The training weights too, beside their average: the curves show what it changes.
            if average != nil { row.rawMeanIoU = try validate(source, model: model).confusion.meanIoU }
            row.validationLoss = result.loss
            row.perClassIoU = result.confusion.perClassIoU
            row.meanIoU = result.confusion.meanIoU
            row.meanDice = result.confusion.meanDice
            row.pixelAccuracy = result.confusion.pixelAccuracy
            lastValidation = (state.epoch, result.confusion.meanIoU)
            model.training = true
            if !result.loss.isFinite {
                throw TrainingError.nonFinite(what: "the validation loss became \(result.loss.isNaN ? "NaN" : "infinite")", step: state.step, lastGoodCheckpoint: lastGoodCheckpoint)
            }
        }
        try checkWeightsFinite()
        progress.endEpoch(state.epoch, trainingLoss: Float(trainLoss), validationLoss: row.validationLoss.map(Float.init), meanIoU: row.meanIoU)
        if let iou = row.meanIoU, iou > (state.bestMeanIoU ?? -1) {
            state.bestMeanIoU = iou
            state.bestEpoch = state.epoch
            if reducer.isPrimary { try Checkpoint(model: evaluatedModel, info: info).write(to: bestPath) }
        }
        if reducer.isPrimary {
            try metrics.append(row)
            try epochReport?(metrics)
        }
        try saveLast()
    }

    /// Sets the batch-norm statistics to the average over the last `statisticsBatches` batches
    /// of training (read again: a batch is a pure function of its step, so this neither
    /// disturbs the sampling nor depends on when the run was resumed).
    func recomputeBatchNormStatistics() throws {
        let steps = Array(max(0, state.step - Self.statisticsBatches)..<state.step)
        var inputs: [Tensor] = []
        for step in steps { inputs.append(try batches.batch(step: step).tensors().inputs) }
        // With --sync-batchnorm, over the global batches (every rank recomputes at the same step).
        let evaluated = evaluatedModel
        if let statisticsSync { statisticsSync.during { evaluated.recomputeBatchNormStatistics(inputs) } } else { evaluated.recomputeBatchNormStatistics(inputs) }
        model.training = true
    }

    /// Scores the model on the validation images. With several ranks, rank r predicts images
    /// r, r + W, r + 2W, … and the confusion matrices and log-likelihood sums are added over the
    /// ranks: every rank gets the numbers of the whole set (the loss up to summation order).
    func validate(_ source: SampleSource, model: UNet) throws -> EvaluationResult {
        defer { self.model.training = true }
        let w = reducer.worldSize
        guard w > 1 else { return try Evaluation.run(model: model, info: info, source: source) }
        var result = try Evaluation.run(model: model, info: info, source: source, images: Array(stride(from: reducer.rank, to: source.count, by: w)))
        let sums = reducer.sum(result.confusion.counts.map(Double.init) + [result.negativeLogLikelihood, Double(result.pixels)])
        let classes = result.confusion.classes
        result.confusion = ConfusionMatrix(classes: classes, counts: sums.prefix(classes * classes).map { Int64($0) })
        result.negativeLogLikelihood = sums[classes * classes]
        result.pixels = Int(sums[classes * classes + 1])
        result.loss = result.negativeLogLikelihood / Double(max(result.pixels, 1))
        result.perImage = []   // this rank's images only; not combined
        return result
    }

    /// Every rank gets the mean of the ranks' batch-norm running statistics (of the average too).
    func combineRunningStatistics() {
        reducer.combine(runningStatistics: model.buffers)
        if let average { reducer.combine(runningStatistics: average.model.buffers) }
    }

    /// Throws when a weight or a batch-norm statistic is NaN or infinite: such a model must never
    /// be saved (as `best` or `last`) over a good one.
    func checkWeightsFinite() throws {
        for (name, t) in model.state + (average?.model.state ?? []) where Backend.current.countNonFinite(t) > 0 {
            throw TrainingError.nonFinite(what: "'\(name)' holds NaN or infinite values", step: state.step, lastGoodCheckpoint: lastGoodCheckpoint)
        }
    }
}
