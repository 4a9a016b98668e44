import Foundation
import ImageCodecs

/// What a dataset is like, measured once over its training images and masks, so that a plan
/// (`TrainingPlan`) can derive the configuration from rules rather than from one sample.
///
/// Intensities are in the units the network's input starts from: 8- and 16-bit samples scaled
/// to [0, 1], float samples as stored.
public struct DatasetFingerprint: Codable, Equatable, Sendable {
    public var imageCount: Int
    public var channels: Int
    /// Bits per sample of the stored images (8, 16; 32 for float); the largest when mixed.
    public var bitDepth: Int
    public var heights: Summary
    public var widths: Summary
    public var intensities: [ChannelIntensity]
    public var classes: [ClassStatistics]

    /// Minimum, median and maximum of a measurement over images (or objects).
    public struct Summary: Codable, Equatable, Sendable {
        public var min: Double
        public var median: Double
        public var max: Double
        public var p10: Double
        public var p90: Double

        public init(_ values: [Double]) {
            let s = values.sorted()
            func at(_ q: Double) -> Double {
                guard !s.isEmpty else { return 0 }
                let x = q * Double(s.count - 1), i = Int(x.rounded(.down)), f = x - Double(i)
                return i + 1 < s.count ? s[i] * (1 - f) + s[i + 1] * f : s[i]
            }
            (min, median, max, p10, p90) = (s.first ?? 0, at(0.5), s.last ?? 0, at(0.1), at(0.9))
        }
    }

    /// One input channel's intensities over all pixels, and how much they vary between images.
    public struct ChannelIntensity: Codable, Equatable, Sendable {
        public var mean: Double
        public var std: Double
        /// Percentiles 0.5, 50, 99.5 and 99.9 over all pixels.
        public var p0_5: Double, p50: Double, p99_5: Double, p99_9: Double
        /// The spread of the images' own means relative to the typical spread within an image:
        /// std over images of their mean, over the median of their std. Near 0 for a homogeneous
        /// set (the same stain and exposure), 1 or more when images differ as much between
        /// themselves as pixels within one (mixed modalities, exposures, inverted contrast).
        public var betweenImageSpread: Double
        /// The share of images whose mean lies more than one typical within-image std from the
        /// median image mean.
        public var outlyingImageShare: Double
        /// (p99.9 − p50) / (p99.5 − p50): about 1.2–1.5 for light tails, large when a few pixels
        /// are far brighter than the rest (saturated spots, hot pixels).
        public var tailRatio: Double
    }

    /// One class's pixels and objects in the training masks.
    public struct ClassStatistics: Codable, Equatable, Sendable {
        public var index: Int
        /// The share of all labelled pixels that hold this class.
        public var pixelShare: Double
        /// The share of images that contain at least one pixel of this class.
        public var imageShare: Double
        /// Connected components (4-connected) of this class, over all images, except those that
        /// span the image (see `spanningCount`).
        public var objectCount: Int
        /// Components whose bounding box covers at least 90% of the image's height and width: a
        /// background or a network (membranes, vessels), whose area says nothing about the
        /// context an object needs.
        public var spanningCount: Int
        /// Object areas in pixels (summary over all components), and the diameter of a disc of
        /// the median and 90th-percentile area.
        public var objectArea: Summary
        public var medianDiameter: Double
        public var p90Diameter: Double
    }

    /// The most frequent class.
    public var backgroundClass: Int { classes.max { $0.pixelShare < $1.pixelShare }?.index ?? 0 }

    /// The largest 90th-percentile object diameter over the classes (0 without objects): the
    /// context the network must see. Every class counts (in EM, the cells between membranes are
    /// the most frequent class and the objects whose size matters); components that span the
    /// image do not.
    public var largeObjectDiameter: Double {
        classes.filter { $0.objectCount > 0 }.map(\.p90Diameter).max() ?? 0
    }
}

extension DatasetFingerprint {
    /// Accumulates a fingerprint image by image (`add`), then `finish`es it. Memory stays
    /// bounded: per image, a few numbers per channel and class; one histogram per channel.
    public struct Builder {
        public let channels: Int
        public let classCount: Int
        private var bitDepth = 0
        private var heights: [Double] = [], widths: [Double] = []
        private var imageMeans: [[Double]], imageStds: [[Double]]
        private var sums: [Double], squares: [Double], pixelCount = 0
        private var histograms: [Histogram]
        private var classPixels: [Int], classImages: [Int], objectAreas: [[Double]], spanning: [Int]
        private var labelledPixels = 0

        public init(channels: Int, classCount: Int) {
            precondition(channels > 0 && classCount > 0, "[DatasetFingerprint] \(channels) channels, \(classCount) classes")
            self.channels = channels
            self.classCount = classCount
            imageMeans = Array(repeating: [], count: channels)
            imageStds = Array(repeating: [], count: channels)
            sums = Array(repeating: 0, count: channels)
            squares = Array(repeating: 0, count: channels)
            histograms = Array(repeating: Histogram(), count: channels)
            classPixels = Array(repeating: 0, count: classCount)
            classImages = Array(repeating: 0, count: classCount)
            objectAreas = Array(repeating: [], count: classCount)
            spanning = Array(repeating: 0, count: classCount)
        }

        /// Adds one image (planar `channels × height × width`, in input units) and its class mask
        /// (`height × width`, indices in 0..<classCount).
        public mutating func add(image: [Float], height: Int, width: Int, bitDepth: Int, mask: [Int32]) {
            let plane = height * width
            precondition(image.count == channels * plane && mask.count == plane, "[DatasetFingerprint] sizes do not match")
            self.bitDepth = max(self.bitDepth, bitDepth)
            heights.append(Double(height))
            widths.append(Double(width))
            for c in 0..<channels {
                var sum: Double = 0, square: Double = 0
                for i in 0..<plane {
                    let v = Double(image[c * plane + i])
                    sum += v
                    square += v * v
                    histograms[c].add(v)
                }
                let mean = sum / Double(plane)
                imageMeans[c].append(mean)
                imageStds[c].append(max(square / Double(plane) - mean * mean, 0).squareRoot())
                sums[c] += sum
                squares[c] += square
            }
            pixelCount += plane
            var present = [Bool](repeating: false, count: classCount)
            for t in mask {
                classPixels[Int(t)] += 1
                present[Int(t)] = true
            }
            labelledPixels += plane
            for k in 0..<classCount where present[k] {
                classImages[k] += 1
                let (labels, count) = labelConnectedComponents(mask, height: height, width: width, foregroundClass: Int32(k))
                var areas = [Double](repeating: 0, count: count)
                var top = [Int](repeating: height, count: count), bottom = [Int](repeating: -1, count: count)
                var left = [Int](repeating: width, count: count), right = [Int](repeating: -1, count: count)
                for y in 0..<height {
                    for x in 0..<width {
                        let l = Int(labels[y * width + x]) - 1
                        guard l >= 0 else { continue }
                        areas[l] += 1
                        top[l] = min(top[l], y); bottom[l] = max(bottom[l], y)
                        left[l] = min(left[l], x); right[l] = max(right[l], x)
                    }
                }
                for l in 0..<count {
                    let spans = Double(bottom[l] - top[l] + 1) >= 0.9 * Double(height) && Double(right[l] - left[l] + 1) >= 0.9 * Double(width)
                    if spans { spanning[k] += 1 } else { objectAreas[k].append(areas[l]) }
                }
            }
        }

        public func finish() -> DatasetFingerprint {
            let n = max(heights.count, 1)
            let intensities = (0..<channels).map { c -> ChannelIntensity in
                let count = Double(max(pixelCount, 1))
                let mean = sums[c] / count
                let std = max(squares[c] / count - mean * mean, 0).squareRoot()
                let means = imageMeans[c]
                let meanOfMeans = means.reduce(0, +) / Double(n)
                let spreadOfMeans = (means.map { ($0 - meanOfMeans) * ($0 - meanOfMeans) }.reduce(0, +) / Double(n)).squareRoot()
                let typicalStd = Summary(imageStds[c]).median
                let medianMean = Summary(means).median
                let outlying = typicalStd > 0 ? means.filter { abs($0 - medianMean) > typicalStd }.count : 0
                let h = histograms[c]
                let p50 = h.percentile(50), p99_5 = h.percentile(99.5), p99_9 = h.percentile(99.9)
                return ChannelIntensity(mean: mean, std: std, p0_5: h.percentile(0.5), p50: p50, p99_5: p99_5, p99_9: p99_9,
                                        betweenImageSpread: typicalStd > 0 ? spreadOfMeans / typicalStd : (spreadOfMeans > 0 ? .infinity : 0),
                                        outlyingImageShare: Double(outlying) / Double(n),
                                        tailRatio: p99_5 > p50 ? (p99_9 - p50) / (p99_5 - p50) : 1)
            }
            let classes = (0..<classCount).map { k -> ClassStatistics in
                let area = Summary(objectAreas[k])
                func diameter(_ a: Double) -> Double { (4 * a / Double.pi).squareRoot() }
                return ClassStatistics(index: k, pixelShare: Double(classPixels[k]) / Double(max(labelledPixels, 1)),
                                       imageShare: Double(classImages[k]) / Double(n), objectCount: objectAreas[k].count,
                                       spanningCount: spanning[k],
                                       objectArea: area, medianDiameter: diameter(area.median), p90Diameter: diameter(area.p90))
            }
            return DatasetFingerprint(imageCount: heights.count, channels: channels, bitDepth: bitDepth, heights: Summary(heights),
                                      widths: Summary(widths), intensities: intensities, classes: classes)
        }
    }

    /// Percentiles of values in [lo, hi) from a fixed 2¹⁶-bin histogram: exact for 8- and 16-bit
    /// samples in [0, 1] (each level has its own bin); values outside (float images) are
    /// clamped into the end bins.
    struct Histogram {
        static let bins = 65536
        var counts = [Int](repeating: 0, count: bins)
        var total = 0
        var low = Double.infinity, high = -Double.infinity

        mutating func add(_ v: Double) {
            let i = Swift.min(Swift.max(Int((v * Double(Self.bins - 1)).rounded()), 0), Self.bins - 1)
            counts[i] += 1
            total += 1
            low = Swift.min(low, v)
            high = Swift.max(high, v)
        }

        /// The value at percentile q (0...100): the level of the bin holding that rank.
        func percentile(_ q: Double) -> Double {
            guard total > 0 else { return 0 }
            let rank = Int((q / 100 * Double(total - 1)).rounded(.down))
            var seen = 0
            for (i, c) in counts.enumerated() {
                seen += c
                if seen > rank { return Swift.min(Swift.max(Double(i) / Double(Self.bins - 1), low), high) }
            }
            return high
        }
    }
}

extension DatasetFingerprint {
    /// Measures the training images and masks of `data` (read as training reads them: images
    /// scaled to [0, 1] before any normalisation, masks through the dataset's encoding).
    /// `progress` is called after each image with the number done.
    public static func measure(_ data: PreparedData, progress: (Int) -> Void = { _ in }) throws -> DatasetFingerprint {
        var builder = Builder(channels: data.channels, classCount: data.classCount)
        for (k, pair) in data.train.enumerated() {
            let header = try data.header(of: pair)
            let (pixels, height, width, _) = try SampleSource.loadImage(pair.imagePath, channels: data.channels)
            let mask = try Mask.read(contentsOf: pair.maskPath, classMap: data.classMap, encoding: data.maskEncoding)
            guard mask.width == width && mask.height == height else {
                throw DatasetError.invalid([.sizeMismatch(image: pair.imagePath, imageWidth: width, imageHeight: height,
                                                          mask: pair.maskPath, maskWidth: mask.width, maskHeight: mask.height)])
            }
            if let bad = mask.firstOutOfRange(classCount: data.classCount) {
                throw DatasetError.invalid([.classOutOfRange(mask: pair.maskPath, value: bad.value, x: bad.x, y: bad.y,
                                                             classCount: data.classCount)])
            }
            let depth = header.bitDepth
            builder.add(image: pixels, height: height, width: width, bitDepth: depth, mask: mask.classes.map { Int32($0) })
            progress(k + 1)
        }
        return builder.finish()
    }
}
