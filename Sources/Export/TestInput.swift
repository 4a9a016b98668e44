import Datasets
import ImageCodecs

/// A package's test input: an image centre-cropped to a valid network input, as raw pixel
/// values (0…maxValue, what a bioimage.io consumer feeds before preprocessing) and as [0, 1]
/// values for drawing.
public struct TestInput {
    public let channels: Int
    public let height: Int
    public let width: Int
    /// 255 for 8-bit images, 65535 for 16-bit ones, 1 for float ones (used as stored).
    public let maxValue: Int
    /// Planar [C, H, W] samples as stored in the file.
    public let raw: [Float]
    /// Planar [C, H, W] in [0, 1].
    public var unit: [Float] { raw.map { $0 / Float(maxValue) } }

    /// At most `limit` pixels per side: test tensors travel in every package.
    public static let limit = 256

    public init(channels: Int, height: Int, width: Int, maxValue: Int, raw: [Float]) {
        precondition(raw.count == channels * height * width, "[TestInput] \(raw.count) samples for \(channels)×\(height)×\(width)")
        self.channels = channels
        self.height = height
        self.width = width
        self.maxValue = maxValue
        self.raw = raw
    }

    /// Reads `path`, adapts its channels to the model's and centre-crops it to the largest valid
    /// input of at most `limit` pixels per side; refuses an image smaller than the smallest input.
    public static func load(_ path: String, channels: Int, rule: InputSizeRule, allowLuminance: Bool) throws -> TestInput {
        let (image, _) = try ChannelAdaptation.adapt(Image.read(contentsOf: path), toChannels: channels, path: path, allowLuminance: allowLuminance)
        guard image.height >= rule.minimum, image.width >= rule.minimum else {
            throw ExportError.badOption(option: "--test-image \(path)",
                                        problem: "the image is \(image.width)×\(image.height), smaller than the network's smallest input (\(rule.minimum)×\(rule.minimum))")
        }
        let maxValue: Int
        switch image.samples {
        case .uint8: maxValue = 255
        case .uint16: maxValue = 65535
        case .float32: maxValue = 1
        }
        let unit = image.planarFloats(normalization: .unitRange)
        let h = rule.largestValid(atMost: min(image.height, limit)), w = rule.largestValid(atMost: min(image.width, limit))
        let top = (image.height - h) / 2, left = (image.width - w) / 2
        var raw = [Float]()
        raw.reserveCapacity(channels * h * w)
        for c in 0..<channels {
            for y in 0..<h {
                let row = (c * image.height + top + y) * image.width + left
                raw += unit[row..<row + w].map { maxValue == 1 ? $0 : ($0 * Float(maxValue)).rounded() }
            }
        }
        return TestInput(channels: channels, height: h, width: w, maxValue: maxValue, raw: raw)
    }
}
