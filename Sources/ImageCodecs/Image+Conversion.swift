extension Image {
    /// The colours of an indexed image: RGBA when any palette entry is translucent, else RGB.
    /// A non-indexed image is returned unchanged.
    public func expandingPalette() -> Image {
        guard let palette, case .uint8(let indices) = samples else { return self }
        let withAlpha = palette.contains { $0.a != 255 }
        let c = withAlpha ? 4 : 3
        var out = [UInt8](repeating: 0, count: indices.count * c)
        for (i, index) in indices.enumerated() {
            let colour = palette[Int(index)]
            out[i * c] = colour.r
            out[i * c + 1] = colour.g
            out[i * c + 2] = colour.b
            if withAlpha { out[i * c + 3] = colour.a }
        }
        return Image(width: width, height: height, channels: c, samples: out)
    }

    /// 16-bit samples scaled to 8 bits with rounding, `(v * 255 + 32767) / 65535`; float
    /// samples clamped to [0, 1] and scaled by 255 with rounding; an 8-bit image is returned unchanged.
    public func to8Bit() -> Image {
        switch samples {
        case .uint8: return self
        case .uint16(let s):
            let out = s.map { UInt8((UInt32($0) * 255 + 32767) / 65535) }
            return Image(width: width, height: height, channels: channels, samples: out)
        case .float32(let s):
            let out = s.map { UInt8((min(max($0, 0), 1) * 255).rounded()) }
            return Image(width: width, height: height, channels: channels, samples: out)
        }
    }

    /// The image with `target` channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). A palette is
    /// expanded first. Gray → RGB replicates; RGB → gray is ITU-R 601 luma
    /// `(299 R + 587 G + 114 B + 500) / 1000` (as Pillow's `convert("L")`, to within rounding);
    /// a missing alpha becomes opaque; a dropped alpha is discarded (no compositing).
    public func converted(toChannels target: Int) -> Image {
        precondition((1...4).contains(target), "[converted] channels must be 1...4, got \(target)")
        let source = expandingPalette()
        if source.channels == target { return source }
        switch source.samples {
        case .uint8(let s):
            return Image(width: width, height: height, channels: target,
                         samples: Image.convert(s, from: source.channels, to: target, maxValue: 255))
        case .uint16(let s):
            return Image(width: width, height: height, channels: target,
                         samples16: Image.convert(s, from: source.channels, to: target, maxValue: 65535))
        case .float32(let s):
            return Image(width: width, height: height, channels: target,
                         floatSamples: Image.convertFloats(s, from: source.channels, to: target))
        }
    }

    /// `convert` for float samples: the same luma weights without rounding; a missing alpha is 1.
    private static func convertFloats(_ s: [Float], from c: Int, to target: Int) -> [Float] {
        let pixels = s.count / c
        var out = [Float](repeating: 0, count: pixels * target)
        let hasColour = c >= 3
        let hasAlpha = c == 2 || c == 4
        for p in 0..<pixels {
            let base = p * c
            let r = s[base], g = hasColour ? s[base + 1] : r, b = hasColour ? s[base + 2] : r
            let a: Float = hasAlpha ? s[base + c - 1] : 1
            let o = p * target
            switch target {
            case 1, 2:
                out[o] = hasColour ? 0.299 * r + 0.587 * g + 0.114 * b : r
                if target == 2 { out[o + 1] = a }
            default:
                out[o] = r
                out[o + 1] = g
                out[o + 2] = b
                if target == 4 { out[o + 3] = a }
            }
        }
        return out
    }

    private static func convert<T: FixedWidthInteger>(_ s: [T], from c: Int, to target: Int, maxValue: Int) -> [T] {
        let pixels = s.count / c
        var out = [T](repeating: 0, count: pixels * target)
        let hasColour = c >= 3
        let hasAlpha = c == 2 || c == 4
        for p in 0..<pixels {
            let base = p * c
            let r = Int(s[base])
            let g = hasColour ? Int(s[base + 1]) : r
            let b = hasColour ? Int(s[base + 2]) : r
            let a = hasAlpha ? Int(s[base + c - 1]) : maxValue
            let o = p * target
            switch target {
            case 1, 2:
                out[o] = T(hasColour ? (299 * r + 587 * g + 114 * b + 500) / 1000 : r)
                if target == 2 { out[o + 1] = T(a) }
            default:
                out[o] = T(r)
                out[o + 1] = T(g)
                out[o + 2] = T(b)
                if target == 4 { out[o + 3] = T(a) }
            }
        }
        return out
    }
}
