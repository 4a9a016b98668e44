import ImageCodecs

/// How `Image.resized(width:height:filter:)` computes new pixels.
public enum ResizeFilter: Sendable, Equatable {
    /// For images. Per axis: area averaging when the axis shrinks (each output pixel is the mean
    /// of the source area it covers, partial pixels weighted by their covered fraction, like
    /// OpenCV's INTER_AREA), bilinear interpolation with half-pixel centres when it grows or keeps
    /// its size (PyTorch `align_corners=False`, edges clamped). Rounded to nearest, clamped.
    case smooth
    /// For masks: output pixel j takes source pixel `floor((j + 0.5) · in / out)`, so only
    /// values already present appear (class indices, colours and a palette are kept).
    case nearest
}

/// What size `unet preprocess resize` makes each image.
public enum ResizeTarget: Sendable, Equatable {
    /// Both sides times a factor, rounded to nearest, at least 1.
    case scale(Double)
    /// An exact size.
    case size(width: Int, height: Int)
    /// Shrinks so that the longer side is at most this, keeping the aspect ratio (rounded);
    /// images already within the limit keep their size.
    case maxSide(Int)

    /// The output size for an input of `width × height`.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        func scaled(_ v: Int, _ f: Double) -> Int { max(1, Int((Double(v) * f).rounded())) }
        switch self {
        case .scale(let f):
            return (scaled(width, f), scaled(height, f))
        case .size(let w, let h):
            return (w, h)
        case .maxSide(let n):
            let longest = max(width, height)
            if longest <= n { return (width, height) }
            let f = Double(n) / Double(longest)
            return width >= height ? (n, scaled(height, f)) : (scaled(width, f), n)
        }
    }
}

extension Image {
    /// The image at `width × height`. `.smooth` expands a palette first (its output has colour
    /// channels); `.nearest` keeps the sample type, channels and palette.
    public func resized(width: Int, height: Int, filter: ResizeFilter) -> Image {
        precondition(width > 0 && height > 0, "[resized] size \(width)x\(height) must be positive")
        switch filter {
        case .nearest:
            let xs = (0..<width).map { Image.nearestSource($0, input: self.width, output: width) }
            let ys = (0..<height).map { Image.nearestSource($0, input: self.height, output: height) }
            return gathering(rows: ys, columns: xs)
        case .smooth:
            let source = expandingPalette()
            let c = source.channels
            let columns = Image.resamplingWeights(input: source.width, output: width)
            let rows = Image.resamplingWeights(input: source.height, output: height)
            let values = source.doubleSamples
            // Horizontal pass: source.height × width × c.
            var horizontal = [Double](repeating: 0, count: source.height * width * c)
            for y in 0..<source.height {
                for (x, taps) in columns.enumerated() {
                    for (i, w) in taps {
                        let from = (y * source.width + i) * c, to = (y * width + x) * c
                        for ch in 0..<c { horizontal[to + ch] += w * values[from + ch] }
                    }
                }
            }
            // Vertical pass: height × width × c.
            var out = [Double](repeating: 0, count: height * width * c)
            for (y, taps) in rows.enumerated() {
                for (i, w) in taps {
                    let from = i * width * c, to = y * width * c
                    for j in 0..<(width * c) { out[to + j] += w * horizontal[from + j] }
                }
            }
            if source.sampleType == .float32 {
                return Image(width: width, height: height, channels: c, floatSamples: out.map { Float($0) })
            }
            let maxValue = Double(source.sampleType.maxValue)
            let clamped = out.map { Int(min(max($0.rounded(), 0), maxValue)) }
            switch source.sampleType {
            case .uint8: return Image(width: width, height: height, channels: c, samples: clamped.map { UInt8($0) })
            case .uint16: return Image(width: width, height: height, channels: c, samples16: clamped.map { UInt16($0) })
            case .float32: preconditionFailure("[resized] float images return above")
            }
        }
    }

    /// The source index nearest neighbour picks for output index `j`.
    static func nearestSource(_ j: Int, input: Int, output: Int) -> Int {
        min(input - 1, Int((Double(j) + 0.5) * Double(input) / Double(output)))
    }

    /// Per output index, the (source index, weight) taps of `.smooth` along one axis; weights sum to 1.
    static func resamplingWeights(input: Int, output: Int) -> [[(Int, Double)]] {
        let s = Double(input) / Double(output)
        if output < input {
            // Area: output pixel j covers source [j·s, (j+1)·s).
            return (0..<output).map { j in
                let lo = Double(j) * s, hi = Double(j + 1) * s
                let first = Int(lo.rounded(.down)), last = min(input, Int(hi.rounded(.up)))
                return (first..<last).compactMap { i in
                    let overlap = min(hi, Double(i + 1)) - max(lo, Double(i))
                    return overlap > 1e-12 ? (i, overlap / s) : nil
                }
            }
        }
        // Bilinear with half-pixel centres.
        return (0..<output).map { j in
            let x = min(max((Double(j) + 0.5) * s - 0.5, 0), Double(input - 1))
            let i0 = Int(x.rounded(.down)), f = x - Double(i0)
            let i1 = min(i0 + 1, input - 1)
            return f == 0 || i1 == i0 ? [(i0, 1)] : [(i0, 1 - f), (i1, f)]
        }
    }
}
