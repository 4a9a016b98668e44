import FileSafety
import ImageCodecs
import Training

/// `RUN_DIR/curves.png`: the run's losses and validation mean IoU per epoch, drawn from its
/// metrics and written atomically. The Trainer calls it after each epoch's metrics when the tool
/// hands it over (`Trainer.epochReport`); training itself draws nothing.
public enum CurvesReport {
    public static func write(_ metrics: MetricsLog) throws {
        let rows = metrics.rows
        let plot = CurvePlot(trainingLoss: rows.map { Float($0.trainLoss) },
                             validationLoss: rows.map { Float($0.validationLoss ?? .nan) },
                             validationMeanIoU: rows.map { Float($0.meanIoU ?? .nan) },
                             title: "loss and validation mean IoU")
        let raster = plot.render()
        try Image(width: raster.width, height: raster.height, channels: 3, samples: raster.pixels).write(to: metrics.plotPath, format: .png)
    }
}
