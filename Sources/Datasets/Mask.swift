/// A segmentation mask: one class index per pixel, row-major (`classes[y * width + x]`).
public struct Mask: Equatable, Sendable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Class index of every pixel, row-major.
    public let classes: [UInt8]

    /// A mask from its parts.
    public init(width: Int, height: Int, classes: [UInt8]) {
        precondition(width > 0 && height > 0 && classes.count == width * height,
                     "[Mask] \(width)x\(height) needs \(width * height) classes, got \(classes.count)")
        self.width = width
        self.height = height
        self.classes = classes
    }

    /// The class at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> UInt8 { classes[y * width + x] }

    /// Pixels per class for classes 0..<classCount; values at or above it are not counted.
    public func histogram(classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for c in classes where Int(c) < classCount { counts[Int(c)] += 1 }
        return counts
    }

    /// The first pixel whose class is not below `classCount`, as (value, x, y).
    public func firstOutOfRange(classCount: Int) -> (value: Int, x: Int, y: Int)? {
        guard let i = classes.firstIndex(where: { Int($0) >= classCount }) else { return nil }
        return (Int(classes[i]), i % width, i / width)
    }
}
