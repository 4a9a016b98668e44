import Tensors

/// An encoder–decoder U-Net (Ronneberger et al. 2015).
///
/// Encoder level l: block (level 0 from the input channels, else after a 2×2 max pooling), whose
/// output is kept as a skip. Bottom: level `depth`, optional dropout. Decoder level l: up-sample
/// the map below to width(l), centre-crop the encoder's level-l map to its size, concatenate
/// [skip, up] and apply a block. Head: 1×1 convolution to class scores.
///
/// Names: `encoder.{l}.…` (l = 0…depth, the bottom is `encoder.{depth}`), `decoder.{l}.up.…` and
/// `decoder.{l}.…` (l = depth−1…0, indexed by the level they produce), `head.weight`, `head.bias`.
public final class UNet: Layer {
    public let configuration: UNetConfiguration
    public let mode: RunMode
    let encoder: [Block]
    let decoderUp: [Layer & UpSampler]
    let decoder: [Block]
    let head: Conv2D

    public init(_ c: UNetConfiguration, seed: UInt64 = 0) {
        precondition(c.problems.isEmpty, "[UNet] \(c.problems.joined(separator: "; "))")
        configuration = c
        mode = RunMode(training: false, seed: seed &+ 1)
        var rng = SeededGenerator(seed: seed)
        var enc: [Block] = []
        for l in 0...c.depth {
            let cin = l == 0 ? c.inputChannels : c.width(atLevel: l - 1)
            enc.append(makeBlock(c.block, cin, c.width(atLevel: l), padding: c.padding, batchNorm: c.batchNorm, mode: mode, rng: &rng))
        }
        var ups: [Layer & UpSampler] = [], dec: [Block] = []
        for l in 0..<c.depth {
            let below = c.width(atLevel: l + 1), here = c.width(atLevel: l)
            switch c.upsampling {
            case .transposed: ups.append(TransposedUp(below, here, rng: &rng))
            case .nearest: ups.append(NearestUp(below, here, rng: &rng))
            }
            dec.append(makeBlock(c.block, 2 * here, here, padding: c.padding, batchNorm: c.batchNorm, mode: mode, rng: &rng))
        }
        encoder = enc
        decoderUp = ups
        decoder = dec
        head = Conv2D(c.width(atLevel: 0), c.classes, kernel: 1, rng: &rng)
    }

    /// Training mode: batch statistics and dropout. Inference mode: running statistics.
    public var training: Bool {
        get { mode.training }
        set { mode.training = newValue }
    }

    public var parameters: [(name: String, tensor: Tensor)] {
        var all: [(name: String, tensor: Tensor)] = []
        for (l, b) in encoder.enumerated() { all += scoped("encoder.\(l)", b.parameters) }
        for l in (0..<configuration.depth).reversed() {
            all += scoped("decoder.\(l).up", decoderUp[l].parameters)
            all += scoped("decoder.\(l)", decoder[l].parameters)
        }
        return all + scoped("head", head.parameters)
    }

    public var buffers: [(name: String, tensor: Tensor)] {
        var all: [(name: String, tensor: Tensor)] = []
        for (l, b) in encoder.enumerated() { all += scoped("encoder.\(l)", b.buffers) }
        for l in (0..<configuration.depth).reversed() { all += scoped("decoder.\(l)", decoder[l].buffers) }
        return all
    }

    /// Parameters and buffers together: the model's whole state, as a checkpoint stores it.
    public var state: [(name: String, tensor: Tensor)] { parameters + buffers }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.tensor.count } }

    /// Class scores [N,classes,H',W'] for x: [N,inputChannels,H,W]; H' = outputSize(H).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let c = configuration
        precondition(x.shape.rank == 4 && x.shape.c == c.inputChannels, "[UNet] input \(x.shape) needs \(c.inputChannels) channels")
        precondition(c.isValidInput(x.shape.h) && c.isValidInput(x.shape.w),
                     "[UNet] input \(x.shape.h)x\(x.shape.w) is not valid for this network; nearest valid sizes: \(c.nearestValidInput(to: x.shape.h))x\(c.nearestValidInput(to: x.shape.w))")
        var skips: [Tensor] = []
        var h = x
        for l in 0..<c.depth {
            h = encoder[l](h)
            skips.append(h)
            h = maxPool2d(h)
        }
        h = encoder[c.depth](h)
        if c.dropout > 0 { h = dropout(h, probability: c.dropout, training: mode.training, rng: &mode.rng) }
        for l in (0..<c.depth).reversed() {
            let up = decoderUp[l](h)
            let skip = centerCrop(skips[l], height: up.shape.h, width: up.shape.w)
            h = decoder[l](concatChannels([skip, up]))
        }
        return head(h)
    }
}

/// The decoder's resolution doubling.
public protocol UpSampler {
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// 2×2 stride-2 transposed convolution; names `weight`, `bias`.
final class TransposedUp: Layer, UpSampler {
    let conv: ConvTranspose2D
    init(_ cin: Int, _ cout: Int, rng: inout SeededGenerator) { conv = ConvTranspose2D(cin, cout, rng: &rng) }
    var parameters: [(name: String, tensor: Tensor)] { conv.parameters }
    func callAsFunction(_ x: Tensor) -> Tensor { conv(x) }
}

/// Nearest ×2 then 1×1 convolution; names `weight`, `bias`.
final class NearestUp: Layer, UpSampler {
    let conv: Conv2D
    init(_ cin: Int, _ cout: Int, rng: inout SeededGenerator) { conv = Conv2D(cin, cout, kernel: 1, rng: &rng) }
    var parameters: [(name: String, tensor: Tensor)] { conv.parameters }
    func callAsFunction(_ x: Tensor) -> Tensor { conv(upsampleNearest2x(x)) }
}
