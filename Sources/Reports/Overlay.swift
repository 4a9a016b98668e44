import Training

/// Blends a class-index mask over an image for visual inspection of predictions.
public enum Overlay {
    /// Returns `height × width × 3` RGB bytes: each pixel is
    /// `round((1 - alpha)·image + alpha·palette[class])`, per component, except pixels of class 0
    /// when `backgroundTransparent` is set, which keep the image's colour.
    ///
    /// `image` is interleaved 8-bit, `height × width × channels` with `channels` 1 (gray, used for
    /// all three components) or 3 (RGB); `mask` is `height × width` class indices.
    public static func blend(mask: [Int32], over image: [UInt8], channels: Int, height: Int, width: Int,
                             palette: ClassPalette, alpha: Float = 0.5, backgroundTransparent: Bool = false) -> [UInt8] {
        precondition(channels == 1 || channels == 3, "[Overlay] channels \(channels) must be 1 or 3")
        precondition(image.count == height * width * channels, "[Overlay] image has \(image.count) bytes for \(height)×\(width)×\(channels)")
        precondition(mask.count == height * width, "[Overlay] mask has \(mask.count) values for \(height)×\(width)")
        precondition(mask.allSatisfy { $0 >= 0 }, "[Overlay] class indices must be non-negative")
        // Per class: the tint already multiplied by alpha, so a pixel costs one multiply-add per component.
        let classCount = Int(mask.max() ?? 0) + 1
        var tint = [Float](repeating: 0, count: classCount * 3)
        var keepsImage = [Bool](repeating: false, count: classCount)
        for c in 0..<classCount {
            let color = palette.color(forClass: c)
            tint[c * 3] = alpha * Float(color.red)
            tint[c * 3 + 1] = alpha * Float(color.green)
            tint[c * 3 + 2] = alpha * Float(color.blue)
        }
        if backgroundTransparent { keepsImage[0] = true }
        let keep = 1 - alpha
        let greenOffset = channels == 3 ? 1 : 0, blueOffset = channels == 3 ? 2 : 0
        var out = [UInt8](repeating: 0, count: height * width * 3)
        image.withUnsafeBufferPointer { src in
        mask.withUnsafeBufferPointer { labels in
        tint.withUnsafeBufferPointer { t in
        out.withUnsafeMutableBufferPointer { dst in
            for p in 0..<height * width {
                let s = p * channels, d = p * 3, c = Int(labels[p])
                if keepsImage[c] {
                    dst[d] = src[s]; dst[d + 1] = src[s + greenOffset]; dst[d + 2] = src[s + blueOffset]
                    continue
                }
                dst[d] = mix(src[s], keep, t[c * 3])
                dst[d + 1] = mix(src[s + greenOffset], keep, t[c * 3 + 1])
                dst[d + 2] = mix(src[s + blueOffset], keep, t[c * 3 + 2])
            }
        }}}}
        return out
    }

    /// As `blend(mask:over:…)` for a planar float image (`channels × height × width`, values in
    /// [0, 1], clamped), such as a `Sample`'s image.
    public static func blend(mask: [Int32], overPlanar image: [Float], channels: Int, height: Int, width: Int,
                             palette: ClassPalette, alpha: Float = 0.5, backgroundTransparent: Bool = false) -> [UInt8] {
        precondition(channels == 1 || channels == 3, "[Overlay] channels \(channels) must be 1 or 3")
        precondition(image.count == height * width * channels, "[Overlay] image has \(image.count) values for \(channels)×\(height)×\(width)")
        let plane = height * width
        var bytes = [UInt8](repeating: 0, count: image.count)
        for c in 0..<channels {
            for p in 0..<plane {
                bytes[p * channels + c] = UInt8((min(max(image[c * plane + p], 0), 1) * 255).rounded())
            }
        }
        return blend(mask: mask, over: bytes, channels: channels, height: height, width: width,
                     palette: palette, alpha: alpha, backgroundTransparent: backgroundTransparent)
    }

    @inline(__always)
    private static func mix(_ value: UInt8, _ keep: Float, _ tint: Float) -> UInt8 {
        UInt8(min(max((keep * Float(value) + tint).rounded(.toNearestOrAwayFromZero), 0), 255))
    }
}
