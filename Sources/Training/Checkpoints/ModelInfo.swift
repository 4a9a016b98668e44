import Datasets
import Foundation
import NN

/// What a checkpoint needs besides weights to predict on its own: the network configuration,
/// the class names and display colours, and the input normalisation.
public struct ModelInfo: Codable, Equatable, Sendable {
    public var configuration: UNetConfiguration
    public var classNames: [String]
    /// RGB colour per class, used for indexed mask palettes and overlays.
    public var palette: [[UInt8]]
    public var normalization: InputNormalization

    public init(configuration: UNetConfiguration, classNames: [String]? = nil, palette: [[UInt8]]? = nil,
                normalization: InputNormalization) {
        self.configuration = configuration
        self.classNames = classNames ?? (0..<configuration.classes).map { "class \($0)" }
        self.palette = palette ?? (0..<configuration.classes).map {
            let c = ClassPalette.default(classes: configuration.classes).color(forClass: $0)
            return [c.red, c.green, c.blue]
        }
        self.normalization = normalization
    }

    private enum CodingKeys: String, CodingKey { case configuration, classNames, palette, normalization }

    /// Decodes colour components as integers and names the one outside 0...255: JSONDecoder
    /// reports a number that does not fit a UInt8 only as "not valid JSON".
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        configuration = try c.decode(UNetConfiguration.self, forKey: .configuration)
        classNames = try c.decode([String].self, forKey: .classNames)
        normalization = try c.decode(InputNormalization.self, forKey: .normalization)
        palette = []
        var rows = try c.nestedUnkeyedContainer(forKey: .palette)
        while !rows.isAtEnd {
            let i = rows.currentIndex
            var row = try rows.nestedUnkeyedContainer()
            var colour: [UInt8] = []
            while !row.isAtEnd {
                let j = row.currentIndex
                let value = try row.decode(Int.self)
                guard let component = UInt8(exactly: value) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.palette, IndexKey(i), IndexKey(j)],
                                                            debugDescription: "\(value) is not a colour component (0...255)"))
                }
                colour.append(component)
            }
            palette.append(colour)
        }
    }

    /// An array position in a coding path.
    private struct IndexKey: CodingKey {
        let intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { return nil }
    }
}

/// Progress of a training run, stored in training checkpoints so `--resume` continues exactly.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer steps completed.
    public var step: Int
    /// Epochs completed.
    public var epoch: Int
    public var bestMeanIoU: Double?
    public var bestEpoch: Int?
    /// The dropout generator's state.
    public var dropoutRNG: [UInt64]
    public var optimizerSteps: Int
    /// Sum and count of the losses of the current, unfinished epoch (for its mean after resuming).
    public var epochLossSum: Double? = nil
    public var epochStepCount: Int? = nil

    public init(step: Int, epoch: Int, bestMeanIoU: Double?, bestEpoch: Int?, dropoutRNG: [UInt64], optimizerSteps: Int) {
        self.step = step
        self.epoch = epoch
        self.bestMeanIoU = bestMeanIoU
        self.bestEpoch = bestEpoch
        self.dropoutRNG = dropoutRNG
        self.optimizerSteps = optimizerSteps
    }
}
