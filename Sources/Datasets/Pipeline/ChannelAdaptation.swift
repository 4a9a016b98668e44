import ImageCodecs

/// Brings an image to the channel count a model takes, only where that is well defined:
/// a palette is expanded, gray is repeated into RGB, alpha is dropped, and colour becomes gray
/// only when every pixel is neutral (R = G = B) or the caller asks for the luminance
/// conversion. Anything else is refused: silently feeding a gray model the luminance of a colour
/// image (or an RGB model something else) would give a plausible-looking wrong answer.
public enum ChannelAdaptation {
    /// What was done to an image, for a note on the terminal.
    public enum Change: String, Sendable, CaseIterable {
        case none
        case grayRepeated = "gray repeated into 3 channels"
        case alphaDropped = "alpha channel dropped"
        case luminance = "converted to gray by luminance (0.299 R + 0.587 G + 0.114 B)"
    }

    /// `image` with `channels` channels, and what was changed; throws `ImageError.unsupported`
    /// naming `path` when there is no well-defined conversion.
    public static func adapt(_ image: Image, toChannels channels: Int, path: String,
                             allowLuminance: Bool = false) throws -> (image: Image, change: Change) {
        let source = image.isIndexed ? image.expandingPalette() : image
        if source.channels == channels { return (source, .none) }
        let hasColour = source.channels >= 3
        let hasAlpha = source.channels == 2 || source.channels == 4
        switch channels {
        case 1:
            guard hasColour else { return (source.converted(toChannels: 1), .alphaDropped) }
            if isNeutral(source) { return (source.converted(toChannels: 1), hasAlpha ? .alphaDropped : .none) }
            guard allowLuminance else {
                throw ImageError.unsupported(path: path, reason: "colour image, but the model takes 1 channel (gray); "
                    + "pass --color-to-gray to convert it by luminance (0.299 R + 0.587 G + 0.114 B), or convert it yourself")
            }
            return (source.converted(toChannels: 1), .luminance)
        case 3:
            return (source.converted(toChannels: 3), hasColour ? .alphaDropped : .grayRepeated)
        default:
            throw ImageError.unsupported(path: path, reason: "has \(source.channels) channel(s), the model takes \(channels)")
        }
    }

    /// True when every pixel has R = G = B.
    static func isNeutral(_ image: Image) -> Bool {
        switch image.samples {
        case .uint8(let s): return isNeutral(s, channels: image.channels)
        case .uint16(let s): return isNeutral(s, channels: image.channels)
        case .float32(let s): return isNeutral(s, channels: image.channels)
        }
    }

    private static func isNeutral<T: Equatable>(_ s: [T], channels c: Int) -> Bool {
        var p = 0
        while p < s.count {
            if s[p] != s[p + 1] || s[p] != s[p + 2] { return false }
            p += c
        }
        return true
    }
}
