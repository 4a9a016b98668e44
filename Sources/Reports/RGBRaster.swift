import Training

/// A drawable 8-bit RGB image, pixels interleaved row-major (`height × width × 3`), ready for a
/// PNG encoder.
public struct RGBRaster: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `height × width × 3` bytes, R G B per pixel.
    public var pixels: [UInt8]

    /// A raster filled with one colour.
    public init(width: Int, height: Int, fill: RGBColor = .white) {
        precondition(width > 0 && height > 0, "[RGBRaster] size \(width)×\(height) must be positive")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fillRectangle(x: 0, y: 0, width: width, height: height, color: fill)
    }

    /// The colour at (x, y).
    public subscript(x: Int, y: Int) -> RGBColor {
        let i = (y * width + x) * 3
        return RGBColor(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Sets one pixel; positions outside the raster are ignored.
    public mutating func set(x: Int, y: Int, color: RGBColor) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = color.red
        pixels[i + 1] = color.green
        pixels[i + 2] = color.blue
    }

    /// Fills a rectangle, clipped to the raster.
    public mutating func fillRectangle(x: Int, y: Int, width w: Int, height h: Int, color: RGBColor) {
        let x0 = max(x, 0), x1 = min(x + w, width), y0 = max(y, 0), y1 = min(y + h, height)
        guard x0 < x1, y0 < y1 else { return }
        pixels.withUnsafeMutableBufferPointer { p in
            for yy in y0..<y1 {
                for xx in x0..<x1 {
                    let i = (yy * width + xx) * 3
                    p[i] = color.red
                    p[i + 1] = color.green
                    p[i + 2] = color.blue
                }
            }
        }
    }

    /// Draws a line from (x0, y0) to (x1, y1) (Bresenham), `thickness` pixels wide.
    public mutating func drawLine(x0: Int, y0: Int, x1: Int, y1: Int, color: RGBColor, thickness: Int = 1) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        let lo = -(thickness - 1) / 2, hi = thickness / 2
        while true {
            for oy in lo...hi { for ox in lo...hi { set(x: x + ox, y: y + oy, color: color) } }
            if x == x1 && y == y1 { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    /// Draws text with the built-in 5×7 font, each font pixel `scale × scale`; (x, y) is the
    /// top-left corner of the first glyph.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: RGBColor, scale: Int = 1) {
        var penX = x
        for character in text {
            let rows = BitmapFont.glyph(for: character)
            for (row, bits) in rows.enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                    fillRectangle(x: penX + column * scale, y: y + row * scale, width: scale, height: scale, color: color)
                }
            }
            penX += BitmapFont.advance * scale
        }
    }
}
