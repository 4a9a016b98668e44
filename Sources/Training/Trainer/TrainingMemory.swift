import NN

/// An estimate of a training process's peak memory, to refuse a batch or patch that cannot fit
/// before anything is allocated or written (a `--batch-size 100000` used to start towards memory
/// exhaustion, a `--patch-size 1000000000` to abort in the allocator after the run folder
/// existed). Fitted to `unet bench --only train` peak RSS (release build, 7 configurations from
/// depth 2 width 8 to depth 4 width 64, patches 188-572, batches 1-4): the estimate is within
/// -2% and +30% of what was measured, so it refuses only what clearly cannot fit.
public enum TrainingMemory {
    /// The process without a network (runtime, libraries, data pipeline).
    static let baseBytes = 100.0 * 1_048_576
    /// Per parameter: weights, gradients and two optimizer moments, in float32.
    static let bytesPerParameter = 16.0
    /// Per input pixel of a patch and per unit of width (the widths of the levels, each over the
    /// share of pixels it keeps): the activations kept for the backward pass, their gradients
    /// and workspace; 34 bytes measured, 1.3 for the larger patches' larger share.
    static let bytesPerPixelWidth = 34.0 * 1.3

    /// Bytes to train `c` on batches of `batch` patches of `patch`² input pixels.
    public static func estimatedBytes(_ c: UNetConfiguration, patch: Int, batch: Int) -> Double {
        var units = 0.0
        for level in 0...c.depth { units += Double(c.width(atLevel: level)) / Double(1 << (2 * level)) }
        let pixels = Double(patch) * Double(patch)
        return baseBytes + bytesPerParameter * c.parameterCountLowerBound + Double(batch) * pixels * units * bytesPerPixelWidth
    }

    /// The largest batch of `patch`² patches whose estimate fits `limitBytes` (0 when none does).
    public static func largestBatch(_ c: UNetConfiguration, patch: Int, limitBytes: Double) -> Int {
        let one = estimatedBytes(c, patch: patch, batch: 1), zero = estimatedBytes(c, patch: patch, batch: 0)
        guard one <= limitBytes else { return 0 }
        return Int(min((limitBytes - zero) / (one - zero), Double(Int32.max)).rounded(.down))
    }

    /// The largest valid patch side whose estimate with `batch` patches fits `limitBytes`.
    public static func largestPatch(_ c: UNetConfiguration, batch: Int, limitBytes: Double) -> Int? {
        let zero = estimatedBytes(c, patch: 0, batch: batch), perPixel = estimatedBytes(c, patch: 1, batch: batch) - zero
        guard limitBytes > zero, perPixel > 0 else { return nil }
        var side = Int(min(((limitBytes - zero) / perPixel).squareRoot(), Double(1 << 20)))
        while side > 0 && !c.isValidInput(side) { side -= 1 }
        return side > 0 ? side : nil
    }
}
