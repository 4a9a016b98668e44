import NN

/// The four block kinds as ONNX operators, in the order of `Sources/NN/Blocks` (and of the
/// PyTorch reference in Tools/make_unet_fixtures.py). Every batch norm that directly follows a
/// convolution is folded into it; the pre-activation block's first batch norm, which follows
/// the block's input and precedes a ReLU, stays a `BatchNormalization` operator.
extension ONNXGraphBuilder {
    func folding(_ prefix: String) throws -> BatchNormFolding? {
        guard let gamma = optionalTensor(prefix + ".weight") else { return nil }
        return BatchNormFolding(gamma: gamma.scalars, beta: try tensor(prefix + ".bias").scalars,
                                mean: try tensor(prefix + ".running_mean").scalars, variance: try tensor(prefix + ".running_var").scalars)
    }

    /// Conv `convName` with batch norm `normName` (when the checkpoint has one) folded in.
    mutating func convNorm(_ x: String, _ prefix: String, _ convName: String, _ normName: String?, padding: Int) throws -> String {
        let w = try tensor("\(prefix).\(convName).weight")
        let bias = optionalTensor("\(prefix).\(convName).bias")?.scalars
        var weight = w.scalars, b = bias
        if let normName, let f = try folding("\(prefix).\(normName)") {
            (weight, b) = f.fold(weight: weight, bias: bias, outChannels: w.shape[0])
        }
        return conv(x, "\(prefix).\(convName)", weight: weight, shape: w.shape.dims, bias: b, padding: padding)
    }

    /// The block `prefix` of `kind` on `x`; `valid` when its 3×3 convolutions are unpadded.
    mutating func block(_ kind: BlockKind, _ x: String, _ prefix: String, valid: Bool) throws -> String {
        let p = valid ? 0 : 1
        // Pixels a 3×3 convolution removes per side under valid padding.
        let loss = valid ? 1 : 0
        switch kind {
        case .plain:
            let h = relu(try convNorm(x, prefix, "conv1", "bn1", padding: p), "\(prefix).relu1")
            return relu(try convNorm(h, prefix, "conv2", "bn2", padding: p), "\(prefix).relu2")
        case .residual:
            let h = relu(try convNorm(x, prefix, "conv1", "bn1", padding: p), "\(prefix).relu1")
            let main = try convNorm(h, prefix, "conv2", "bn2", padding: p)
            let skip = try shortcut(x, prefix, margin: 2 * loss)
            return relu(add(main, skip, "\(prefix).add"), "\(prefix).relu2")
        case .bottleneck:
            let h1 = relu(try convNorm(x, prefix, "conv1", "bn1", padding: 0), "\(prefix).relu1")
            let h2 = relu(try convNorm(h1, prefix, "conv2", "bn2", padding: p), "\(prefix).relu2")
            let main = try convNorm(h2, prefix, "conv3", "bn3", padding: 0)
            let skip = try shortcut(x, prefix, margin: loss)
            return relu(add(main, skip, "\(prefix).add"), "\(prefix).relu3")
        case .preact:
            let normed = try folding("\(prefix).bn1").map { batchNorm(x, "\(prefix).bn1", $0) } ?? x
            let a1 = relu(normed, "\(prefix).relu1")
            // bn2 follows conv1 directly: folded into it.
            let h1 = try convNorm(a1, prefix, "conv1", "bn2", padding: p)
            let a2 = relu(h1, "\(prefix).relu2")
            let main = try convNorm(a2, prefix, "conv2", nil, padding: p)
            let cropped = crop(x, "\(prefix).skip_crop", top: 2 * loss, bottom: 2 * loss)
            let skip = try optionalTensor("\(prefix).skip.weight") == nil ? cropped : convNorm(cropped, prefix, "skip", nil, padding: 0)
            return add(main, skip, "\(prefix).add")
        }
    }

    /// A residual block's skip: the input centre-cropped by `margin` per side, then the 1×1
    /// projection (with its batch norm folded) when the block changes the channel count.
    /// Cropping first is exact: a 1×1 convolution commutes with cropping.
    mutating func shortcut(_ x: String, _ prefix: String, margin: Int) throws -> String {
        let cropped = crop(x, "\(prefix).skip_crop", top: margin, bottom: margin)
        guard optionalTensor("\(prefix).skip.weight") != nil else { return cropped }
        return try convNorm(cropped, prefix, "skip", "skip_bn", padding: 0)
    }
}
