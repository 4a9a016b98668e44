import NN
import Tensors

/// How an image is cut into network tiles (the U-Net paper's overlap-tile strategy).
///
/// Tile k along an axis reads the input window starting at k·step − context (mirror-reflected
/// outside the image) and contributes output pixels from k·step on. The step is a multiple of
/// 2^depth, so every image pixel meets the pooling grid at the same phase in every tile: under
/// valid padding each output pixel is computed from the same inputs whatever the tile size.
public struct TilePlan: Equatable, Sendable {
    /// Side of a tile's input window (a valid input size of the network).
    public let inputSize: Int
    /// Pixels the network returns per tile side.
    public let outputSize: Int
    /// Offset from a tile's input window to its first output pixel.
    public let context: Int
    /// Distance between consecutive tiles' first output pixels.
    public let step: Int
    /// Offset of the first used pixel inside a tile's output.
    public let outputOffset: Int

    /// A plan for tiles of (about) `tile` input pixels per side.
    public init(configuration c: UNetConfiguration, tile: Int) {
        let a = c.alignment
        if c.padding == .valid {
            // At least one aligned step of output per tile.
            var t = max(c.nearestValidInput(to: tile), c.inputSize(forOutputAtLeast: a))
            if !c.isValidInput(t) { t = c.nearestValidInput(to: t) }
            let out = c.outputSize(forInput: t)!
            inputSize = t
            outputSize = out
            context = (t - out) / 2
            step = (out / a) * a
            outputOffset = 0
        } else {
            // Same padding: tiles overlap by a margin of context, trimmed from their outputs.
            let t = max(((tile + a - 1) / a) * a, 4 * a)
            let margin = min(((c.receptiveField / 2 + a - 1) / a) * a, ((t / 4) / a) * a)
            inputSize = t
            outputSize = t
            context = margin
            step = t - 2 * margin
            outputOffset = margin
        }
    }

    /// Tile origins (first output pixel) along an axis of `length` pixels.
    public func origins(length: Int) -> [Int] {
        Array(stride(from: 0, to: length, by: step))
    }

    /// Approximate bytes of activations per input pixel per tile, for choosing a tile size, plus
    /// the workspace the backend reports for the widest full-resolution convolution (Winograd's
    /// transformed maps on the CPU).
    public static func bytesPerPixel(_ c: UNetConfiguration) -> Int {
        let w0 = c.width(atLevel: 0)
        var perPixel = 5 * w0
        for l in 0...c.depth { perPixel += max(1, c.width(atLevel: l) >> (2 * l)) }
        let workspace = Backend.current.convolutionWorkspaceBytesPerPixel(weight: Shape(w0, w0, 3, 3), geometry: ConvGeometry(),
                                                                         transposed: false)
        return 4 * perPixel + workspace
    }

    /// The largest tile (input side) whose activations for `batch` tiles fit `budgetBytes`,
    /// and no larger than needed to cover a `height`×`width` image in one tile.
    public static func tileSize(for c: UNetConfiguration, budgetBytes: Int, batch: Int, height: Int, width: Int) -> Int {
        let perTile = max(1, budgetBytes / max(1, batch) / bytesPerPixel(c))
        let fit = Int(Double(perTile).squareRoot())
        let border = c.padding == .valid ? c.borderPerSide : 0
        let cover = max(height, width) + 2 * border + c.alignment
        return max(min(fit, cover), c.padding == .valid ? c.inputSize(forOutputAtLeast: c.alignment) : 4 * c.alignment)
    }
}
