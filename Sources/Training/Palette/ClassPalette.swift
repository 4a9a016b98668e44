/// A colour per class for overlays and colour-coded masks.
public struct ClassPalette: Sendable, Equatable {
    /// Colours of classes `0..<colors.count`; higher classes get a colour hashed from the index.
    public var colors: [RGBColor]

    /// Creates a palette from explicit colours.
    public init(colors: [RGBColor]) { self.colors = colors }

    /// The colour of class `index`.
    public func color(forClass index: Int) -> RGBColor {
        if index >= 0 && index < colors.count { return colors[index] }
        // splitmix64 of the index: stable, well spread, never depends on run order.
        var z = UInt64(bitPattern: Int64(index)) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return RGBColor(UInt8(truncatingIfNeeded: z) | 0x40, UInt8(truncatingIfNeeded: z >> 8) | 0x40,
                        UInt8(truncatingIfNeeded: z >> 16) | 0x40)
    }

    /// Two classes: black (background) and white (foreground). More: a fixed list of 20
    /// well-separated colours (class 0 black), then hashed colours.
    public static func `default`(classes: Int) -> ClassPalette {
        if classes <= 2 { return ClassPalette(colors: [.black, .white]) }
        return ClassPalette(colors: Array(distinct.prefix(classes)))
    }

    /// The palette for overlays: gray colours (black, white), which would only darken or wash out
    /// the image under them, are replaced by the distinct hue of their class (class 1 red, …).
    public var forOverlay: ClassPalette {
        ClassPalette(colors: colors.enumerated().map { index, color in
            guard color.red == color.green, color.green == color.blue else { return color }
            let hues = ClassPalette.distinct
            return hues[1 + (index + hues.count - 2) % (hues.count - 1)]
        })
    }

    /// Black followed by 19 distinct colours (Kelly's and the tab10 lists).
    static let distinct: [RGBColor] = [
        RGBColor(0, 0, 0), RGBColor(230, 25, 75), RGBColor(60, 180, 75), RGBColor(255, 225, 25),
        RGBColor(0, 130, 200), RGBColor(245, 130, 48), RGBColor(145, 30, 180), RGBColor(70, 240, 240),
        RGBColor(240, 50, 230), RGBColor(210, 245, 60), RGBColor(250, 190, 212), RGBColor(0, 128, 128),
        RGBColor(220, 190, 255), RGBColor(170, 110, 40), RGBColor(255, 250, 200), RGBColor(128, 0, 0),
        RGBColor(170, 255, 195), RGBColor(128, 128, 0), RGBColor(255, 215, 180), RGBColor(0, 0, 128),
    ]
}
