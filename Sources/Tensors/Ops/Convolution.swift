/// 2-D convolution, cross-correlation as in PyTorch's `F.conv2d` (its test oracle).
/// x: [N,Cin,H,W], weight: [Cout,Cin,kh,kw], bias: [Cout] → [N,Cout,(H+2p−kh)/s+1,(W+2p−kw)/s+1].
/// Padding 0 is the U-Net paper's "valid" convolution.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
    convolution(x, weight: weight, bias: bias, geometry: ConvGeometry(stride: stride, padding: padding), transposed: false)
}

/// 2-D transposed convolution, as PyTorch's `F.conv_transpose2d`.
/// x: [N,Cin,H,W], weight: [Cin,Cout,kh,kw], bias: [Cout] → [N,Cout,(H−1)s−2p+kh,(W−1)s−2p+kw].
/// Its forward is convolution's backward-data and vice versa; oneDNN runs both directly.
public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 2, padding: Int = 0) -> Tensor {
    convolution(x, weight: weight, bias: bias, geometry: ConvGeometry(stride: stride, padding: padding), transposed: true)
}

private func convolution(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvGeometry, transposed t: Bool) -> Tensor {
    let backend = Backend.current
    let y = backend.convolution(x, weight: weight, bias: bias, geometry: g, transposed: t)
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    // The weight gradient needs the input; keep its recipe instead when it has one.
    let savedInput = x.recompute == nil ? x : nil
    let recomputeInput = x.recompute
    let (inputShape, inputLayout) = (x.shape, x.layout)
    let inputNeedsGradient = x.requiresGrad
    Tape.record(y, inputs: inputs) { dy in
        let dx = inputNeedsGradient
            ? backend.convolutionBackwardData(dy, weight: weight, inputShape: inputShape, inputLayout: inputLayout, geometry: g, transposed: t)
            : nil
        var dw: Tensor?, db: Tensor?
        if weight.requiresGrad || (bias?.requiresGrad ?? false) {
            let input = savedInput ?? recomputeInput!()
            (dw, db) = backend.convolutionBackwardWeights(input, dy, weightShape: weight.shape, withBias: bias != nil, geometry: g, transposed: t)
        }
        return bias == nil ? [dx, dw] : [dx, dw, db]
    }
    return y
}
