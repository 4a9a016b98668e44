/// An 8-bit RGB colour.
public struct RGBColor: Sendable, Equatable, Hashable {
    /// Red.
    public var red: UInt8
    /// Green.
    public var green: UInt8
    /// Blue.
    public var blue: UInt8

    /// Creates a colour from its components.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// White.
    public static let white = RGBColor(255, 255, 255)
    /// Black.
    public static let black = RGBColor(0, 0, 0)
}
