import NN

/// Convolution arithmetic of a U-Net, counted analytically from its configuration.
///
/// Convention (the one /work/shared/NOTES-onednn.md uses): a multiply-add counts 2 FLOPs; only
/// convolutions and transposed convolutions count (batch norm, ReLU, pooling, crop, concat, loss
/// and optimizer are left out). Per convolution 2·Cin·Cout·k²·Hout·Wout, per transposed
/// convolution 2·Cin·Cout·k²·Hin·Win. A training step counts each convolution 3 times (forward,
/// backward-data, backward-weights), except that the convolutions reading the network's input
/// need no backward-data. The paper's configuration with residual blocks (572² → 388², batch 1)
/// gives 315.7 GFLOP forward and 946.8 GFLOP per training step (3× forward would be 947.2).
public struct ConvolutionFLOPs: Equatable, Sendable {
    /// One forward pass.
    public var forward: Double
    /// The forward FLOPs of the convolutions whose input is the network's input (no backward-data).
    public var readingInput: Double
    /// One training step: forward, backward-data, backward-weights.
    public var trainingStep: Double { 3 * forward - readingInput }
}

extension UNetConfiguration {
    /// The convolution FLOPs of `batch` inputs of `inputSize`², or nil for an invalid size.
    public func convolutionFLOPs(inputSize: Int, batch: Int = 1) -> ConvolutionFLOPs? {
        guard isValidInput(inputSize) else { return nil }
        var total = 0.0, readingInput = 0.0
        /// A k×k stride-1 convolution from a map of side `s`; returns the output side.
        func conv(_ cin: Int, _ cout: Int, kernel k: Int, side s: Int, onInput: Bool = false) -> Int {
            let out = padding == .same ? s : s - (k - 1)
            let flops = 2 * Double(cin * cout * k * k) * Double(out * out)
            total += flops
            if onInput { readingInput += flops }
            return out
        }
        /// A block of `block` kind from a map of side `s`; returns the output side. `onInput`:
        /// the block reads the network's input (the first encoder block).
        func stage(_ cin: Int, _ cout: Int, side s: Int, onInput: Bool) -> Int {
            let out: Int
            switch block {
            case .plain:
                return conv(cout, cout, kernel: 3, side: conv(cin, cout, kernel: 3, side: s, onInput: onInput))
            case .residual:
                out = conv(cout, cout, kernel: 3, side: conv(cin, cout, kernel: 3, side: s, onInput: onInput))
            case .preact:   // conv1 reads relu(bn1(x)), which needs a gradient when bn1 has parameters
                out = conv(cout, cout, kernel: 3, side: conv(cin, cout, kernel: 3, side: s, onInput: onInput && !batchNorm))
            case .bottleneck:
                let mid = max(cout / 4, 1)
                let reduced = conv(cin, mid, kernel: 1, side: s, onInput: onInput)
                out = conv(mid, cout, kernel: 1, side: conv(mid, mid, kernel: 3, side: reduced))
            }
            if cin != cout { _ = conv(cin, cout, kernel: 1, side: out, onInput: onInput) }   // projection of the cropped skip
            return out
        }
        var s = inputSize
        var cin = inputChannels
        for l in 0..<depth {
            s = stage(cin, width(atLevel: l), side: s, onInput: l == 0) / 2
            cin = width(atLevel: l)
        }
        s = stage(cin, width(atLevel: depth), side: s, onInput: false)
        for l in (0..<depth).reversed() {
            let below = width(atLevel: l + 1), here = width(atLevel: l)
            switch upsampling {
            case .transposed: total += 2 * Double(below * here * 4) * Double(s * s)   // 2×2 stride 2, per input pixel
            case .nearest: total += 2 * Double(below * here) * Double(4 * s * s)       // 1×1 after the ×2
            }
            s = stage(2 * here, here, side: 2 * s, onInput: false)
        }
        _ = conv(width(atLevel: 0), classes, kernel: 1, side: s)
        let n = Double(batch)
        return ConvolutionFLOPs(forward: total * n, readingInput: readingInput * n)
    }
}
