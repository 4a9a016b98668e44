import Tensors

/// A flip and quarter-turn of the pixel grid (one of the 8 symmetries of a square), applied
/// identically to a sample's image, mask and weight map.
///
/// Order: the horizontal flip, then the vertical flip, then `quarterTurns` counter-clockwise
/// rotations by 90° (numpy `rot90` semantics). An odd number of turns swaps height and width.
public struct DihedralTransform: Sendable, Equatable {
    /// Mirror left–right.
    public var flipHorizontal: Bool
    /// Mirror top–bottom.
    public var flipVertical: Bool
    /// Counter-clockwise quarter turns, taken modulo 4.
    public var quarterTurns: Int

    /// Creates a transform; the identity by default.
    public init(flipHorizontal: Bool = false, flipVertical: Bool = false, quarterTurns: Int = 0) {
        self.flipHorizontal = flipHorizontal
        self.flipVertical = flipVertical
        self.quarterTurns = ((quarterTurns % 4) + 4) % 4
    }

    /// The identity transform.
    public static let identity = DihedralTransform()

    /// The 8 distinct symmetries of the square: 0–3 quarter turns, without and with a horizontal
    /// flip first (a vertical flip equals a horizontal flip and two turns).
    public static let all: [DihedralTransform] = [false, true].flatMap { flip in
        (0..<4).map { DihedralTransform(flipHorizontal: flip, quarterTurns: $0) }
    }

    /// The transform that undoes this one: `inverse.apply(to: apply(to: x))` is `x`.
    public var inverse: DihedralTransform {
        // Found by trying the 8 candidates on a 2×3 grid of distinct values: small, and it
        // cannot drift from `apply`'s conventions.
        let probe = Array(0..<6)
        let moved = apply(to: probe, channels: 1, height: 2, width: 3)
        let size = outputSize(height: 2, width: 3)
        return Self.all.first { $0.apply(to: moved, channels: 1, height: size.height, width: size.width) == probe }!
    }

    /// Draws flips (each with probability ½) and a uniform number of quarter turns; disabled
    /// parts draw nothing from `rng`.
    public static func random(flips: Bool, rotations: Bool, rng: inout SeededGenerator) -> DihedralTransform {
        var t = DihedralTransform()
        if flips {
            t.flipHorizontal = rng.next() & 1 == 1
            t.flipVertical = rng.next() & 1 == 1
        }
        if rotations { t.quarterTurns = Int(rng.next() % 4) }
        return t
    }

    /// The `(height, width)` of the output for an input of the given size.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        quarterTurns % 2 == 1 ? (width, height) : (height, width)
    }

    /// Applies the transform to every plane of `channels × height × width` data; the result is
    /// `channels × outputSize.height × outputSize.width`.
    public func apply<Element>(to data: [Element], channels: Int, height: Int, width: Int) -> [Element] {
        precondition(data.count == channels * height * width,
                     "[DihedralTransform] data has \(data.count) values, shape [\(channels),\(height),\(width)]")
        // Every symmetry is affine in flat indices: source = origin + y·rowStep + x·columnStep.
        var origin = 0, rowStep = width, columnStep = 1
        var outHeight = height, outWidth = width
        if flipHorizontal { origin += (outWidth - 1) * columnStep; columnStep = -columnStep }
        if flipVertical { origin += (outHeight - 1) * rowStep; rowStep = -rowStep }
        for _ in 0..<quarterTurns {
            // new[i, j] = old[j, W-1-i]
            origin += (outWidth - 1) * columnStep
            (rowStep, columnStep) = (-columnStep, rowStep)
            (outHeight, outWidth) = (outWidth, outHeight)
        }
        if origin == 0 && rowStep == width && columnStep == 1 { return data }
        let plane = height * width
        return [Element](unsafeUninitializedCapacity: data.count) { out, initialized in
            data.withUnsafeBufferPointer { src in
                var o = 0
                for c in 0..<channels {
                    let base = c * plane + origin
                    for y in 0..<outHeight {
                        var s = base + y * rowStep
                        for _ in 0..<outWidth {
                            (out.baseAddress! + o).initialize(to: src[s])
                            s += columnStep
                            o += 1
                        }
                    }
                }
            }
            initialized = data.count
        }
    }

    /// Applies the transform to the image, mask and weight map of a sample.
    public func apply(to sample: Sample) -> Sample {
        // A centred label window stays centred under every symmetry, so labels transform on their own grid.
        let size = outputSize(height: sample.height, width: sample.width)
        let labelSize = outputSize(height: sample.labelHeight, width: sample.labelWidth)
        let lh = sample.labelHeight, lw = sample.labelWidth
        return Sample(
            image: apply(to: sample.image, channels: sample.channels, height: sample.height, width: sample.width),
            channels: sample.channels, height: size.height, width: size.width,
            mask: sample.mask.map { apply(to: $0, channels: 1, height: lh, width: lw) },
            weights: sample.weights.map { apply(to: $0, channels: 1, height: lh, width: lw) },
            labelHeight: labelSize.height, labelWidth: labelSize.width)
    }
}
