/// One training example: a planar float image with its optional class mask and per-pixel loss weights.
///
/// Shapes: `image` is `channels × height × width` (CHW, row-major planes); `mask` holds class
/// indices, `height × width`; `weights` holds per-pixel loss weights, `height × width`.
/// `mask` and `weights` are `labelHeight × labelWidth`: the image size, except after a crop for
/// a valid-padding network, where they cover the centred output window of the image.
/// Augmentations move all three together so that a pixel keeps its label and weight.
public struct Sample: Sendable, Equatable {
    /// Planar float pixels, `channels × height × width`.
    public var image: [Float]
    /// Number of image planes (1 for gray, 3 for RGB).
    public var channels: Int
    /// Rows of the image, mask and weight map.
    public var height: Int
    /// Columns of the image, mask and weight map.
    public var width: Int
    /// Rows of the mask and weight map (equal to `height` unless cropped for a valid network).
    public var labelHeight: Int
    /// Columns of the mask and weight map (equal to `width` unless cropped for a valid network).
    public var labelWidth: Int
    /// Class index per pixel, `labelHeight × labelWidth`, or nil for unlabeled samples.
    public var mask: [Int32]?
    /// Loss weight per pixel, `labelHeight × labelWidth`, or nil when every pixel counts equally.
    public var weights: [Float]?

    /// Creates a sample, checking that every array matches the stated shape; the label size
    /// defaults to the image size.
    public init(image: [Float], channels: Int, height: Int, width: Int, mask: [Int32]? = nil, weights: [Float]? = nil,
                labelHeight: Int? = nil, labelWidth: Int? = nil) {
        let labelHeight = labelHeight ?? height, labelWidth = labelWidth ?? width
        precondition(channels > 0 && height > 0 && width > 0, "[Sample] shape [\(channels),\(height),\(width)] must be positive")
        precondition(image.count == channels * height * width,
                     "[Sample] image has \(image.count) values, shape [\(channels),\(height),\(width)] needs \(channels * height * width)")
        if let mask {
            precondition(mask.count == labelHeight * labelWidth,
                         "[Sample] mask has \(mask.count) values, expected \(labelHeight)×\(labelWidth)")
        }
        if let weights {
            precondition(weights.count == labelHeight * labelWidth,
                         "[Sample] weights have \(weights.count) values, expected \(labelHeight)×\(labelWidth)")
        }
        self.image = image
        self.channels = channels
        self.height = height
        self.width = width
        self.labelHeight = labelHeight
        self.labelWidth = labelWidth
        self.mask = mask
        self.weights = weights
    }
}
