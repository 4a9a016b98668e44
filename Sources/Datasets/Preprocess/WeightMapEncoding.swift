import ImageCodecs

/// How `unet preprocess weight-maps` stores a loss weight map: a 16-bit gray PNG whose value is
/// `round(w · 1000)` (so 1/1000 resolution, error at most 0.0005), clamped to 0...65535, i.e.
/// weights up to 65.535; larger ones are clipped and counted. Decode with `v / 1000`.
public enum WeightMapEncoding {
    /// Stored value per unit of weight.
    public static let scale: Float = 1000

    /// The 16-bit image of a `height × width` weight map and the number of clipped pixels.
    public static func encode(_ weights: [Float], width: Int, height: Int) -> (image: Image, clipped: Int) {
        precondition(weights.count == width * height, "[WeightMapEncoding] \(weights.count) weights for \(width)x\(height)")
        var clipped = 0
        let values = weights.map { w -> UInt16 in
            let v = (w * scale).rounded()
            if !(v <= 65535) || v < 0 { clipped += 1 }
            return v.isNaN ? 0 : UInt16(min(max(v, 0), 65535))
        }
        return (Image(width: width, height: height, channels: 1, samples16: values), clipped)
    }

    /// The weights of an image written by `encode` (gray channel 0 divided by `scale`).
    public static func decode(_ image: Image) -> [Float] {
        let c = image.channels
        let v = image.intSamples
        return (0..<(image.width * image.height)).map { Float(v[$0 * c]) / scale }
    }

    /// A viewable 8-bit preview: `round(255 · (w − min) / (max − min))` (all 0 when flat).
    public static func preview(_ weights: [Float], width: Int, height: Int) -> Image {
        let lo = weights.min() ?? 0, hi = weights.max() ?? 0
        let samples = weights.map { hi > lo ? UInt8((255 * ($0 - lo) / (hi - lo)).rounded()) : 0 }
        return Image(width: width, height: height, channels: 1, samples: samples)
    }
}

/// Minimum, mean and maximum of weight maps, and how many pixels were clipped when stored.
public struct WeightMapStatistics: Equatable, Sendable {
    /// Smallest weight.
    public var min: Float = .infinity
    /// Largest weight.
    public var max: Float = -.infinity
    /// Sum of all weights (Double, to keep large maps exact enough).
    public var sum: Double = 0
    /// Pixels seen.
    public var count = 0
    /// Pixels whose weight was above 65.535 and stored clipped.
    public var clipped = 0

    /// Empty statistics.
    public init() {}

    /// Mean weight (0 when empty).
    public var mean: Double { count == 0 ? 0 : sum / Double(count) }

    /// Adds a map.
    public mutating func add(_ weights: [Float], clipped: Int = 0) {
        for w in weights {
            min = Swift.min(min, w)
            max = Swift.max(max, w)
            sum += Double(w)
        }
        count += weights.count
        self.clipped += clipped
    }
}

extension DatasetFolder {
    /// Precomputes the paper's border weight map of every mask (`unet preprocess weight-maps`):
    /// objects are the connected components of `foregroundClass`; `out/NAME.png` holds the map
    /// as `WeightMapEncoding` (16-bit, value = round(w · 1000)) and `out/previews/NAME.png` an
    /// 8-bit preview normalised per image. Masks are read through `classMap` and with the
    /// encoding the dataset implies (`MaskValueSurvey`); class weights use `classCount` classes
    /// (default: the class map's, else inferred from the dataset; an implausible value set is a
    /// problem and nothing is written). `perImage` gets each map's statistics as it is done.
    public func writeWeightMaps(_ map: BorderWeightMap, foregroundClass: Int = 1, classCount: Int? = nil,
                                classMap: ClassMap? = nil, out: String, limits: DecodeLimits = .default,
                                perImage: ((_ done: Int, _ total: Int, _ name: String, WeightMapStatistics) -> Void)? = nil)
        throws -> (outcome: PreprocessOutcome, statistics: WeightMapStatistics) {
        let previews = PreprocessIO.join(out, "previews")
        try PreprocessIO.makeDirectory(previews)
        var outcome = PreprocessOutcome(problems: pairingProblems)
        var total = WeightMapStatistics()
        // The masks are read as training reads them: one encoding and one class count for the
        // dataset (a mask that does not decode is reported below).
        var survey = MaskValueSurvey()
        for pair in pairs {
            if let mask = try? StoredMask.read(contentsOf: pair.maskPath, classMap: classMap, limits: limits) { survey.add(mask) }
        }
        let givenClassCount = classCount ?? classMap?.classCount
        if let problem = survey.problem(classCount: givenClassCount, masks: masksDirectory) {
            outcome.problems.append(problem)
            return (outcome, total)
        }
        let encoding = survey.encoding
        let count = givenClassCount ?? survey.inferredClassCount
        for (k, pair) in pairs.enumerated() {
            var one = WeightMapStatistics()
            defer { perImage?(k + 1, pairs.count, pair.name, one) }
            do {
                let mask = try Mask.read(contentsOf: pair.maskPath, classMap: classMap, encoding: encoding, limits: limits)
                if let bad = mask.firstOutOfRange(classCount: count) {
                    throw DatasetError.invalid([.classOutOfRange(mask: pair.maskPath, value: bad.value, x: bad.x, y: bad.y, classCount: count)])
                }
                let weights = map.weights(classMask: mask.classes.map { Int32($0) }, height: mask.height, width: mask.width,
                                          classCount: count, foregroundClass: Int32(foregroundClass))
                let (image, clipped) = WeightMapEncoding.encode(weights, width: mask.width, height: mask.height)
                try image.write(to: PreprocessIO.join(out, pair.name + ".png"))
                try WeightMapEncoding.preview(weights, width: mask.width, height: mask.height)
                    .write(to: PreprocessIO.join(previews, pair.name + ".png"))
                one.add(weights, clipped: clipped)
                total.add(weights, clipped: clipped)
                outcome.written += 1
            } catch {
                outcome.problems += PreprocessIO.problems(from: error, path: pair.maskPath)
            }
        }
        return (outcome, total)
    }
}
