import NN

/// Batch norm (inference statistics) folded into the convolution before it, as `unet`'s own
/// inference does: w' = w·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β.
struct BatchNormFolding {
    let gamma: [Float], beta: [Float], mean: [Float], variance: [Float]
    /// ε of the network's batch norm layers (not stored in checkpoints: the layer's default).
    static let epsilon = BatchNorm2D(1, mode: RunMode()).epsilon

    /// Per-channel scale γ/√(σ²+ε) and shift β − μ·scale: the whole normalisation as y = x·scale + shift.
    var scale: [Float] { gamma.indices.map { gamma[$0] / (variance[$0] + Self.epsilon).squareRoot() } }

    /// Folds into a convolution weight laid out [Cout, …] and its bias (zero when absent).
    func fold(weight: [Float], bias: [Float]?, outChannels: Int) -> (weight: [Float], bias: [Float]) {
        precondition(gamma.count == outChannels, "[BatchNormFolding] \(gamma.count) channels for \(outChannels) outputs")
        let per = weight.count / outChannels, s = scale
        var w = weight, b = [Float](repeating: 0, count: outChannels)
        for o in 0..<outChannels {
            for i in 0..<per { w[o * per + i] = weight[o * per + i] * s[o] }
            b[o] = ((bias?[o] ?? 0) - mean[o]) * s[o] + beta[o]
        }
        return (w, b)
    }
}
