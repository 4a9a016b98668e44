import Foundation
import ImageCodecs
import Tensors

/// Loads training samples (normalised planar image, class mask, optional border weight map)
/// from dataset pairs, decoding on demand and keeping decoded samples while they fit a memory
/// budget, so small datasets are decoded once and large ones stay bounded.
public final class SampleSource: @unchecked Sendable {
    public let pairs: [SamplePair]
    public let channels: Int
    public let classCount: Int
    public let classMap: ClassMap?
    /// How the dataset's gray masks are read: decided once for the whole dataset
    /// (`DatasetCheck.encoding`), training and validation alike.
    public let maskEncoding: MaskEncoding
    public let normalization: InputNormalization
    public let weightMap: BorderWeightMap?
    /// Class index of the objects whose borders the weight map emphasises.
    public let foregroundClass: Int32
    private var cache: [Int: Sample] = [:]
    private var cachedBytes = 0
    private let budgetBytes: Int
    private let lock = NSLock()
    /// Whether `sample(_:)` returns normalised images; training sources return [0, 1] images so
    /// that intensity augmentation (gamma) works on them, and normalise each patch afterwards.
    /// Either way the per-image step (`InputNormalization.prepare`) is already applied, to the
    /// whole image.
    public let normalizesImages: Bool

    public init(pairs: [SamplePair], channels: Int, classCount: Int, classMap: ClassMap? = nil, maskEncoding: MaskEncoding,
                normalization: InputNormalization, weightMap: BorderWeightMap? = nil, foregroundClass: Int32 = 1,
                cacheBudgetBytes: Int = 2 << 30, normalizesImages: Bool = true) {
        self.normalizesImages = normalizesImages
        self.pairs = pairs
        self.channels = channels
        self.classCount = classCount
        self.classMap = classMap
        self.maskEncoding = maskEncoding
        self.normalization = normalization
        self.weightMap = weightMap
        self.foregroundClass = foregroundClass
        self.budgetBytes = cacheBudgetBytes
    }

    public var count: Int { pairs.count }

    /// The image at `path` as planar [0,1] floats (float images as stored) with `channels`
    /// channels, converted only where that is well defined (see `ChannelAdaptation`; colour to
    /// gray by luminance only when `allowLuminance`), and what the conversion changed. With a
    /// `normalization`, its per-image step (`prepare`: the percentile scheme) is applied here, on
    /// the whole image; its standardisation (`apply`) is left to the caller.
    public static func loadImage(_ path: String, channels: Int, allowLuminance: Bool = false,
                                 normalization: InputNormalization? = nil) throws
        -> (pixels: [Float], height: Int, width: Int, change: ChannelAdaptation.Change) {
        let (image, change) = try ChannelAdaptation.adapt(Image.read(contentsOf: path), toChannels: channels, path: path,
                                                          allowLuminance: allowLuminance)
        var pixels = image.planarFloats(normalization: .unitRange)
        normalization?.prepare(&pixels, channels: channels)
        return (pixels, image.height, image.width, change)
    }

    /// Sample `index`, decoded (or from the cache).
    public func sample(_ index: Int) throws -> Sample {
        lock.lock()
        if let s = cache[index] { lock.unlock(); return s }
        lock.unlock()
        let pair = pairs[index]
        var (pixels, h, w, _) = try SampleSource.loadImage(pair.imagePath, channels: channels, normalization: normalization)
        if normalizesImages { normalization.apply(to: &pixels) }
        let mask = try Mask.read(contentsOf: pair.maskPath, classMap: classMap, encoding: maskEncoding)
        guard mask.width == w && mask.height == h else {
            throw DatasetError.invalid([.sizeMismatch(image: pair.imagePath, imageWidth: w, imageHeight: h, mask: pair.maskPath, maskWidth: mask.width, maskHeight: mask.height)])
        }
        if let bad = mask.firstOutOfRange(classCount: classCount) {
            throw DatasetError.invalid([.classOutOfRange(mask: pair.maskPath, value: bad.value, x: bad.x, y: bad.y, classCount: classCount)])
        }
        let classes = mask.classes.map { Int32($0) }
        let weights = weightMap?.weights(classMask: classes, height: h, width: w, classCount: classCount, foregroundClass: foregroundClass)
        let s = Sample(image: pixels, channels: channels, height: h, width: w, mask: classes, weights: weights)
        let bytes = pixels.count * 4 + classes.count * 4 + (weights?.count ?? 0) * 4
        lock.lock()
        // Two workers may decode the same sample at once: the second keeps the first's entry.
        if cache[index] == nil && cachedBytes + bytes <= budgetBytes {
            cache[index] = s
            cachedBytes += bytes
        }
        lock.unlock()
        return s
    }
}
