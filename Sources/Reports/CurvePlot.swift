import Training

/// A chart of training curves over epochs: training and validation loss on the left axis,
/// validation mean IoU on the right axis (0 to 1), with ticks, labels, a title and a legend,
/// rendered into an `RGBRaster` (encode it as PNG elsewhere).
///
/// Series are indexed by epoch (element 0 is epoch 1) and may differ in length. NaN values
/// are skipped (the line breaks there); every point also gets a small marker, so a single epoch
/// shows. A constant series gets a widened axis; no loss values at all give a 0–1 loss axis.
public struct CurvePlot: Sendable {
    /// Mean training loss per epoch.
    public var trainingLoss: [Float]
    /// Validation loss per epoch.
    public var validationLoss: [Float]
    /// Validation mean IoU per epoch, in [0, 1].
    public var validationMeanIoU: [Float]
    /// Text above the chart.
    public var title: String

    /// Colour of the training loss curve.
    public static let trainingLossColor = RGBColor(31, 119, 180)
    /// Colour of the validation loss curve.
    public static let validationLossColor = RGBColor(255, 127, 14)
    /// Colour of the validation mean IoU curve.
    public static let meanIoUColor = RGBColor(44, 160, 44)

    /// Creates a plot of the given series.
    public init(trainingLoss: [Float], validationLoss: [Float] = [], validationMeanIoU: [Float] = [], title: String = "training") {
        self.trainingLoss = trainingLoss
        self.validationLoss = validationLoss
        self.validationMeanIoU = validationMeanIoU
        self.title = title
    }

    /// Draws the chart into a `width × height` raster (at least 200 × 150).
    public func render(width: Int = 800, height: Int = 500) -> RGBRaster {
        precondition(width >= 200 && height >= 150, "[CurvePlot] size \(width)×\(height) is too small (min 200×150)")
        var raster = RGBRaster(width: width, height: height, fill: .white)
        let scale = width >= 600 ? 2 : 1
        let left = 14 * scale * 6 / 2 + 20, right = width - (12 * scale * 6 / 2 + 20)
        let top = 20 + 10 * scale, bottom = height - (20 + 14 * scale)
        let plotWidth = right - left, plotHeight = bottom - top

        let epochs = max(trainingLoss.count, validationLoss.count, validationMeanIoU.count, 1)
        let xAxis = AxisScale(lower: 1, upper: Double(max(epochs, 2)), step: AxisScale(covering: 1...Double(max(epochs, 2))).step.rounded(.up))
        let losses = (trainingLoss + validationLoss).filter { $0.isFinite }.map(Double.init)
        let lossAxis = AxisScale(covering: losses.isEmpty ? nil : losses.min()!...losses.max()!)
        let iouAxis = AxisScale(lower: 0, upper: 1, step: 0.2)
        func px(_ epoch: Double) -> Int { left + Int((Double(plotWidth) * xAxis.fraction(epoch)).rounded()) }
        func pyLoss(_ v: Double) -> Int { bottom - Int((Double(plotHeight) * lossAxis.fraction(v)).rounded()) }
        func pyIoU(_ v: Double) -> Int { bottom - Int((Double(plotHeight) * iouAxis.fraction(v)).rounded()) }

        let grid = RGBColor(225, 225, 225), ink = RGBColor.black
        let glyphHeight = BitmapFont.glyphHeight * scale
        // Grid lines and ticks.
        for tick in lossAxis.ticks {
            let y = pyLoss(tick)
            raster.drawLine(x0: left, y0: y, x1: right, y1: y, color: grid)
            raster.drawLine(x0: left - 5, y0: y, x1: left, y1: y, color: ink)
            let label = ProgressFormatting.fixed(tick, digits: lossAxis.decimals)
            raster.drawText(label, x: left - 8 - BitmapFont.width(of: label) * scale, y: y - glyphHeight / 2, color: ink, scale: scale)
        }
        for tick in iouAxis.ticks {
            let y = pyIoU(tick)
            raster.drawLine(x0: right, y0: y, x1: right + 5, y1: y, color: ink)
            raster.drawText(ProgressFormatting.fixed(tick, digits: 1), x: right + 8, y: y - glyphHeight / 2, color: ink, scale: scale)
        }
        for tick in xAxis.ticks {
            let x = px(tick)
            raster.drawLine(x0: x, y0: bottom, x1: x, y1: bottom + 5, color: ink)
            let label = ProgressFormatting.fixed(tick, digits: 0)
            raster.drawText(label, x: x - BitmapFont.width(of: label) * scale / 2, y: bottom + 8, color: ink, scale: scale)
        }
        // Frame, axis titles, title.
        raster.drawLine(x0: left, y0: top, x1: left, y1: bottom, color: ink)
        raster.drawLine(x0: right, y0: top, x1: right, y1: bottom, color: ink)
        raster.drawLine(x0: left, y0: bottom, x1: right, y1: bottom, color: ink)
        raster.drawLine(x0: left, y0: top, x1: right, y1: top, color: ink)
        raster.drawText("epoch", x: (left + right - BitmapFont.width(of: "epoch") * scale) / 2, y: bottom + 14 + glyphHeight, color: ink, scale: scale)
        raster.drawText("loss", x: left - BitmapFont.width(of: "loss") * scale / 2, y: top - glyphHeight - 4, color: ink, scale: scale)
        raster.drawText("miou", x: right - BitmapFont.width(of: "miou") * scale / 2, y: top - glyphHeight - 4, color: Self.meanIoUColor, scale: scale)
        raster.drawText(title, x: (left + right - BitmapFont.width(of: title) * scale) / 2, y: top - glyphHeight - 4, color: ink, scale: scale)

        // Curves.
        func drawSeries(_ values: [Float], color: RGBColor, y: (Double) -> Int) {
            var previous: (Int, Int)?
            for (i, value) in values.enumerated() {
                guard value.isFinite else { previous = nil; continue }
                let point = (px(Double(i + 1)), y(Double(value)))
                if let p = previous { raster.drawLine(x0: p.0, y0: p.1, x1: point.0, y1: point.1, color: color, thickness: 2) }
                raster.fillRectangle(x: point.0 - 2, y: point.1 - 2, width: 5, height: 5, color: color)
                previous = point
            }
        }
        drawSeries(trainingLoss, color: Self.trainingLossColor, y: pyLoss)
        drawSeries(validationLoss, color: Self.validationLossColor, y: pyLoss)
        drawSeries(validationMeanIoU.map { min(max($0, 0), 1) }, color: Self.meanIoUColor, y: pyIoU)

        // Legend, top right inside the plot.
        let entries = [("train loss", Self.trainingLossColor), ("val loss", Self.validationLossColor), ("val miou", Self.meanIoUColor)]
        let lineHeight = glyphHeight + 6
        let textWidth = entries.map { BitmapFont.width(of: $0.0) * scale }.max()!
        let boxWidth = textWidth + 40, boxHeight = lineHeight * entries.count + 6
        let boxX = right - boxWidth - 8, boxY = top + 8
        raster.fillRectangle(x: boxX, y: boxY, width: boxWidth, height: boxHeight, color: .white)
        for (i, (label, color)) in entries.enumerated() {
            let y = boxY + 6 + i * lineHeight
            raster.fillRectangle(x: boxX + 6, y: y + glyphHeight / 2 - 1, width: 20, height: 3, color: color)
            raster.drawText(label, x: boxX + 32, y: y, color: ink, scale: scale)
        }
        return raster
    }
}
