/// Which values every mask of a dataset holds: the evidence on which the dataset's
/// `MaskEncoding` is decided once (`encoding`), its class count inferred, and value sets that
/// are no plausible class-index encoding refused (`problems`), naming the files that hold the
/// odd values.
public struct MaskValueSurvey: Sendable, Equatable {
    /// One surveyed mask: its stored values with their pixel counts and first pixels.
    public struct Entry: Sendable, Equatable {
        /// The mask file.
        public var path: String
        /// Pixels per row (to turn a pixel index into a position).
        public var width: Int
        /// Whether the values are gray levels (read through the encoding) or classes already.
        public var isGray: Bool
        /// The values present, ascending.
        public var values: [Value]
    }

    /// A value present in one mask.
    public struct Value: Sendable, Equatable {
        public var value: UInt8
        public var pixels: Int
        /// Row-major index of the first pixel holding it.
        public var firstPixel: Int
    }

    /// One class value over the dataset: how many pixels and masks hold it, and the first few masks.
    public struct Use: Sendable, Hashable {
        public var value: Int
        public var pixels: Int
        public var masks: Int
        /// The first `exampleCount` masks holding it, in survey order.
        public var examples: [String]

        public init(value: Int, pixels: Int, masks: Int, examples: [String]) {
            self.value = value
            self.pixels = pixels
            self.masks = masks
            self.examples = examples
        }
    }

    /// Without a stated class count, more classes than this are refused. Real label sets that
    /// large are rare (Cityscapes has 34 ids, Pascal VOC 21 classes); gap-free gray levels
    /// beyond it are far more likely an image or anti-aliased edges than class indices, and
    /// would silently build a huge model. Stating `--classes N` lifts the bound.
    public static let maxInferredClasses = 64
    /// Masks named per value in a problem.
    public static let exampleCount = 3
    /// Values listed in a problem (the rarest first: the odd ones).
    public static let listedValues = 8

    /// The surveyed masks, in the order added.
    public private(set) var entries: [Entry] = []

    /// An empty survey.
    public init() {}

    /// Adds a mask's values.
    public mutating func add(_ mask: StoredMask) {
        var pixels = [Int](repeating: 0, count: 256), first = [Int](repeating: -1, count: 256)
        for (p, v) in mask.values.enumerated() {
            let k = Int(v)
            if pixels[k] == 0 { first[k] = p }
            pixels[k] += 1
        }
        let values = (0..<256).filter { pixels[$0] > 0 }.map { Value(value: UInt8($0), pixels: pixels[$0], firstPixel: first[$0]) }
        entries.append(Entry(path: mask.path, width: mask.width, isGray: mask.isGray, values: values))
    }

    /// Binary 0/255 only when every gray mask of the dataset holds nothing but 0 and 255 (and
    /// some 255); class indices otherwise.
    public var encoding: MaskEncoding {
        var sawHigh = false
        for entry in entries where entry.isGray {
            for v in entry.values {
                if v.value == 255 { sawHigh = true } else if v.value != 0 { return .indices }
            }
        }
        return sawHigh ? .binary255 : .indices
    }

    /// The class of a stored value under the dataset's encoding.
    private func classOf(_ value: UInt8, isGray: Bool, _ encoding: MaskEncoding) -> Int {
        isGray && encoding == .binary255 && value == 255 ? 1 : Int(value)
    }

    /// Every class value present, ascending, with its use.
    public var uses: [Use] {
        let encoding = self.encoding
        var byClass: [Int: Use] = [:]
        for entry in entries {
            for v in entry.values {
                let c = classOf(v.value, isGray: entry.isGray, encoding)
                var use = byClass[c] ?? Use(value: c, pixels: 0, masks: 0, examples: [])
                use.pixels += v.pixels
                use.masks += 1
                if use.examples.count < Self.exampleCount { use.examples.append(entry.path) }
                byClass[c] = use
            }
        }
        return byClass.values.sorted { $0.value < $1.value }
    }

    /// Pixels per class (256 entries) over the masks whose path `includes` accepts.
    public func classHistogram(including includes: (String) -> Bool = { _ in true }) -> [Int] {
        let encoding = self.encoding
        var histogram = [Int](repeating: 0, count: 256)
        for entry in entries where includes(entry.path) {
            for v in entry.values { histogram[classOf(v.value, isGray: entry.isGray, encoding)] += v.pixels }
        }
        return histogram
    }

    /// One above the largest class present, at least 2.
    public var inferredClassCount: Int { max(2, (uses.last?.value ?? 0) + 1) }

    /// Per mask, in survey order: the first pixel whose class is not below `classCount`.
    public func outOfRange(classCount: Int) -> [(entry: Int, problem: DatasetProblem)] {
        let encoding = self.encoding
        var found: [(Int, DatasetProblem)] = []
        for (k, entry) in entries.enumerated() {
            let bad = entry.values.filter { classOf($0.value, isGray: entry.isGray, encoding) >= classCount }
            guard let first = bad.min(by: { $0.firstPixel < $1.firstPixel }) else { continue }
            found.append((k, .classOutOfRange(mask: entry.path, value: classOf(first.value, isGray: entry.isGray, encoding),
                                              x: first.firstPixel % entry.width, y: first.firstPixel / entry.width,
                                              classCount: classCount)))
        }
        return found
    }

    /// The dataset-level value problem, if any. Without `classCount` the classes present must
    /// be 0, 1, 2, … without gaps (0 itself may be absent) and at most `maxInferredClasses`;
    /// with it, gaps are allowed and every class must be below it. `masks` names the masks
    /// folder(s) in the message.
    public func problem(classCount: Int?, masks: String) -> DatasetProblem? {
        let uses = self.uses
        guard let highest = uses.last?.value else { return nil }
        let present = Set(uses.map(\.value))
        let reason: String
        if let classCount {
            let over = uses.map(\.value).filter { $0 >= classCount }
            guard !over.isEmpty else { return nil }
            reason = "are not all below the class count \(classCount) (\(Self.ranges(over)) \(over.count == 1 ? "is" : "are") not)"
        } else {
            let missing = (1..<max(1, highest)).filter { !present.contains($0) }
            if !missing.isEmpty {
                reason = "are neither binary 0/255 nor class indices 0, 1, 2, … without gaps (no mask holds \(Self.ranges(missing))); "
                    + "fix the masks listed, or give --classes N if they are class indices of which some never occur"
            } else if highest + 1 > Self.maxInferredClasses {
                reason = "would make \(highest + 1) classes, more than the \(Self.maxInferredClasses) inferred without --classes "
                    + "(gray levels of an image or anti-aliased edges rather than class indices?); give --classes N if there really are that many"
            } else {
                return nil
            }
        }
        // The rarest values first: a stray value is in few masks.
        let listed = uses.sorted { ($0.masks, $0.pixels, $0.value) < ($1.masks, $1.pixels, $1.value) }.prefix(Self.listedValues)
        return .implausibleMaskValues(masks: masks, values: uses.map(\.value), reason: reason, uses: Array(listed))
    }

    /// "0–2, 5, 128, 255": runs of three or more consecutive values as a range.
    public static func ranges(_ values: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let v = values.sorted()
        while i < v.count {
            var j = i
            while j + 1 < v.count && v[j + 1] == v[j] + 1 { j += 1 }
            if j - i >= 2 { parts.append("\(v[i])–\(v[j])") } else { parts += v[i...j].map(String.init) }
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }
}
