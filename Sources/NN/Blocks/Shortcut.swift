import Tensors

/// The skip path of a residual block: identity, or a 1×1 projection (with BN when enabled) when
/// the channel count changes; centre-cropped to the main path's size under valid padding.
final class Shortcut {
    let projection: ConvNorm?

    init(_ cin: Int, _ cout: Int, batchNorm: Bool, mode: RunMode, rng: inout SeededGenerator) {
        projection = cin == cout ? nil : ConvNorm(cin, cout, kernel: 1, padding: 0, batchNorm: batchNorm, mode: mode, rng: &rng)
    }

    var named: (parameters: [(name: String, tensor: Tensor)], buffers: [(name: String, tensor: Tensor)]) {
        projection?.named("skip", "skip_bn") ?? ([], [])
    }

    /// The skip for a main-path output of `height`×`width` (cropping first: 1×1 convolution commutes with cropping).
    func callAsFunction(_ x: Tensor, height: Int, width: Int) -> Tensor {
        guard let projection else { return centerCrop(x, height: height, width: width) }
        // Crop whichever side has fewer channels: the crop is a copy that training keeps (as the
        // convolution's input, or as batch norm's), and a decoder's shortcut halves the channels
        // of an input (the concatenation) that its first convolution keeps anyway.
        if projection.conv.weight.shape[1] > projection.conv.weight.shape[0] {
            return projection(x, cropTo: (height, width))
        }
        return projection(centerCrop(x, height: height, width: width))
    }
}
