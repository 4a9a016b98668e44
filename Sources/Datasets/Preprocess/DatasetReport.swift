import Foundation
import ImageCodecs

/// What `unet preprocess check` prints: every problem of a dataset folder plus a summary of
/// what it holds. Built by `DatasetFolder.report(...)`.
public struct DatasetReport: Equatable, Sendable {
    /// Matched image/mask pairs.
    public var pairCount: Int
    /// Every problem, pairing problems first, then per pair in name order (as `problems(...)`).
    public var problems: [DatasetProblem]
    /// Smallest width and smallest height over the readable images (after EXIF orientation), or nil.
    public var minSize: (width: Int, height: Int)? { sizes.isEmpty ? nil : (sizes.map(\.width).min()!, sizes.map(\.height).min()!) }
    /// Largest width and largest height over the readable images, or nil.
    public var maxSize: (width: Int, height: Int)? { sizes.isEmpty ? nil : (sizes.map(\.width).max()!, sizes.map(\.height).max()!) }
    /// Image count per channel count as decoded (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA); a palette
    /// image counts as 3 (it has colours; training reads it as RGB).
    public var channels: [Int: Int]
    /// Pixels per class over every mask that decoded (read with the dataset's encoding), classes
    /// `0..<max(classCount, highest seen + 1)`; `summary` prints only the classes below the
    /// class count and those present.
    public var classHistogram: [Int]
    /// The class count checked against (given, or the class map's), if any.
    public var classCount: Int?
    /// The size of every readable image (after EXIF orientation), in pair order.
    public var sizes: [PixelSize]

    /// A width and a height in pixels.
    public struct PixelSize: Equatable, Hashable, Sendable {
        /// Pixels per row.
        public var width: Int
        /// Rows.
        public var height: Int
    }

    /// The summary lines: pairs, sizes, channels and the class histogram with percentages.
    public var summary: [String] {
        var lines = ["pairs     \(pairCount) image/mask pair(s)"]
        if let lo = minSize, let hi = maxSize {
            let distinct = Set(sizes.map { "\($0.width)x\($0.height)" }).count
            lines.append("sizes     min \(lo.width)x\(lo.height), max \(hi.width)x\(hi.height) (\(distinct) distinct)")
        }
        let names = [1: "gray", 2: "gray+alpha", 3: "RGB", 4: "RGBA"]
        if !channels.isEmpty {
            lines.append("channels  " + channels.keys.sorted().map { "\(names[$0] ?? "\($0)"): \(channels[$0]!)" }.joined(separator: ", "))
        }
        let total = classHistogram.reduce(0, +)
        if total > 0 {
            lines.append("classes   pixels per class over \(total) mask pixels:")
            // Rows for the classes below the class count and any class present: never a run of
            // empty rows up to a stray high value.
            for (k, n) in classHistogram.enumerated() where n > 0 || k < (classCount ?? 0) {
                let outside = classCount.map { k >= $0 } ?? false
                lines.append(String(format: "  %3d  %12d  %6.2f%%", k, n, 100 * Double(n) / Double(total)) + (outside ? "  (not below --classes)" : ""))
            }
        }
        lines.append(problems.isEmpty ? "no problems" : "\(problems.count) problem(s)")
        return lines
    }
}

extension DatasetFolder {
    /// Checks every pair (as `problems(depth: .full)`, listing all problems at once) and
    /// gathers the summary: sizes, channels and the class histogram (`classMap` for RGB masks),
    /// masks read with the encoding the dataset implies.
    public func report(classCount: Int? = nil, classMap: ClassMap? = nil, limits: DecodeLimits = .default,
                       progress: PreprocessProgress? = nil) -> DatasetReport {
        var sizes: [DatasetReport.PixelSize] = []
        var channels: [Int: Int] = [:]
        let check = DatasetCheck([self], classCount: classCount, classMap: classMap, limits: limits) { done, total, name in
            let pair = pairs[done - 1]
            if let info = try? ImageInfo.read(contentsOf: pair.imagePath, limits: limits) {
                sizes.append(.init(width: info.orientedWidth, height: info.orientedHeight))
                channels[info.isIndexed ? 3 : info.channels, default: 0] += 1
            }
            progress?(done, total, name)
        }
        let histogram = check.survey.classHistogram()
        let highest = (histogram.lastIndex { $0 > 0 } ?? -1) + 1
        let kept = max(check.givenClassCount ?? 0, highest)
        return DatasetReport(pairCount: pairs.count, problems: check.problems, channels: channels,
                             classHistogram: Array(histogram.prefix(kept)), classCount: check.givenClassCount, sizes: sizes)
    }
}
