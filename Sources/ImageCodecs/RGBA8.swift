/// One 8-bit RGBA colour, as in a PNG palette (alpha from tRNS, 255 when opaque).
public struct RGBA8: Hashable, Sendable, CustomStringConvertible {
    /// Red.
    public var r: UInt8
    /// Green.
    public var g: UInt8
    /// Blue.
    public var b: UInt8
    /// Alpha (255 = opaque).
    public var a: UInt8

    /// A colour from its four components; alpha defaults to opaque.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }

    /// `(r, g, b)` or `(r, g, b, a)` when not opaque.
    public var description: String { a == 255 ? "(\(r), \(g), \(b))" : "(\(r), \(g), \(b), \(a))" }
}
