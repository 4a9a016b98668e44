extension Image {
    /// The image turned upright for EXIF orientation 1...8 (any other value: unchanged):
    /// 2 mirror, 3 rotate 180°, 4 flip vertically, 5 transpose, 6 rotate 90° clockwise,
    /// 7 transverse, 8 rotate 90° counter-clockwise — as Pillow's `ImageOps.exif_transpose`.
    public func applyingEXIFOrientation(_ orientation: Int) -> Image {
        guard (2...8).contains(orientation) else { return self }
        let (w, h) = (width, height)
        let swaps = orientation >= 5
        let outWidth = swaps ? h : w
        let outHeight = swaps ? w : h
        // Source pixel for output pixel (x, y).
        let source: (Int, Int) -> (Int, Int)
        switch orientation {
        case 2: source = { x, y in (w - 1 - x, y) }
        case 3: source = { x, y in (w - 1 - x, h - 1 - y) }
        case 4: source = { x, y in (x, h - 1 - y) }
        case 5: source = { x, y in (y, x) }
        case 6: source = { x, y in (y, h - 1 - x) }
        case 7: source = { x, y in (w - 1 - y, h - 1 - x) }
        default: source = { x, y in (w - 1 - y, x) }
        }
        func remap<T>(_ s: [T]) -> [T] {
            var out = s
            let c = channels
            for y in 0..<outHeight {
                for x in 0..<outWidth {
                    let (sx, sy) = source(x, y)
                    let from = (sy * w + sx) * c
                    let to = (y * outWidth + x) * c
                    for k in 0..<c { out[to + k] = s[from + k] }
                }
            }
            return out
        }
        switch samples {
        case .uint8(let s):
            return Image(width: outWidth, height: outHeight, channels: channels, samples: remap(s), palette: palette)
        case .uint16(let s):
            return Image(width: outWidth, height: outHeight, channels: channels, samples16: remap(s))
        case .float32(let s):
            return Image(width: outWidth, height: outHeight, channels: channels, floatSamples: remap(s))
        }
    }
}
