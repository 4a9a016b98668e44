import Tensors

/// A convolution, then batch norm when enabled: the unit every block is built from.
///
/// In inference (eval mode, no tape) the batch norm is folded into the convolution's weights and
/// bias, and the residual sum and ReLU run as fused post-ops of the convolution.
final class ConvNorm: Layer {
    let conv: Conv2D
    let norm: BatchNorm2D?
    private var folded: (key: [Int], weight: Tensor, bias: Tensor?)?

    init(_ cin: Int, _ cout: Int, kernel: Int, padding: Int, batchNorm: Bool, mode: RunMode, rng: inout SeededGenerator) {
        conv = Conv2D(cin, cout, kernel: kernel, padding: padding, bias: !batchNorm, rng: &rng)
        norm = batchNorm ? BatchNorm2D(cout, mode: mode) : nil
    }

    /// Names its convolution `convName` and its batch norm `normName`.
    func named(_ convName: String, _ normName: String) -> (parameters: [(name: String, tensor: Tensor)], buffers: [(name: String, tensor: Tensor)]) {
        (scoped(convName, conv.parameters) + (norm.map { scoped(normName, $0.parameters) } ?? []),
         norm.map { scoped(normName, $0.buffers) } ?? [])
    }

    var parameters: [(name: String, tensor: Tensor)] { conv.parameters + (norm?.parameters ?? []) }

    /// Side of the output for an input side.
    func outputSize(_ n: Int) -> Int { n + 2 * conv.padding - conv.kernel + 1 }

    /// relu?(bn(conv(x)) + residual?), the ReLU only when `relu`.
    /// `cropTo` centre-crops the convolution's output before normalisation (a 1×1 convolution
    /// commutes with cropping, and the cropped output is smaller than the cropped input when the
    /// convolution reduces channels).
    func callAsFunction(_ x: Tensor, relu applyReLU: Bool = false, residual: Tensor? = nil, cropTo: (Int, Int)? = nil) -> Tensor {
        precondition(cropTo == nil || (residual == nil && !applyReLU), "[ConvNorm] cropTo is for plain projections")
        if !Tape.isRecording, !(norm?.mode.training ?? false) {
            let (w, b) = foldedParameters()
            let y = conv2dFused(x, weight: w, bias: b, stride: conv.stride, padding: conv.padding, residual: residual, relu: applyReLU)
            guard let (h, w) = cropTo else { return y }
            return centerCrop(y, height: h, width: w)
        }
        var y = conv(x)
        if let (h, w) = cropTo { y = centerCrop(y, height: h, width: w) }
        if let residual {
            let normalized = norm.map { $0(y) } ?? y
            return applyReLU ? addReLU(normalized, residual) : normalized + residual
        }
        if let norm { return norm(y, relu: applyReLU) }
        return applyReLU ? relu(y) : y
    }

    /// w' = w·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β; recomputed when any input changed.
    func foldedParameters() -> (Tensor, Tensor?) {
        guard let norm else { return (conv.weight, conv.bias) }
        let key = [conv.weight.version, conv.bias?.version ?? -1, norm.weight.version, norm.bias.version,
                   norm.runningMean.version, norm.runningVariance.version]
        if let f = folded, f.key == key { return (f.weight, f.bias) }
        let result = Backend.current.foldBatchNorm(weight: conv.weight, bias: conv.bias, gamma: norm.weight, beta: norm.bias,
                                                   mean: norm.runningMean, variance: norm.runningVariance, epsilon: norm.epsilon)
        folded = (key, result.0, result.1)
        return result
    }
}
