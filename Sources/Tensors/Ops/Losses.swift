/// Softmax cross-entropy of logits [N,C,H,W] against class indices `targets` (int32 [N,H,W]),
/// with optional per-class weights (float32 [C]) and per-pixel weights (float32 [N,H,W], e.g. the
/// U-Net border weight map). Returns the scalar [1]:
///
///     loss = Σ_x m(x)·w[t(x)]·(−log softmax(logits)(x)[t(x)]) / Σ_x m(x)·w[t(x)]
///
/// With no weights this is PyTorch's `F.cross_entropy(logits, t)`; with class weights alone it
/// matches `F.cross_entropy(..., weight=w)`. Targets outside 0..<C are a programmer error.
public func softmaxCrossEntropy(_ logits: Tensor, targets: Tensor, classWeights: Tensor? = nil, pixelWeights: Tensor? = nil) -> Tensor {
    let s = logits.shape
    checkTargets(targets, logits: s, op: "cross_entropy")
    checkWeights(classWeights, shape: Shape(s.c), op: "cross_entropy", what: "class")
    checkWeights(pixelWeights, shape: targets.shape, op: "cross_entropy", what: "pixel")
    let backend = Backend.current
    let (value, norm, probs) = backend.softmaxCrossEntropy(logits, targets: targets, classWeights: classWeights, pixelWeights: pixelWeights)
    let loss = Tensor(shape: Shape(1), scalars: [value])
    let layout = logits.layout
    Tape.record(loss, inputs: [logits]) { dy in
        // d/dx_c = w·(p_c − [c = t]) / Σw, times the upstream scalar.
        let scale = norm > 0 ? dy.scalar / Float(norm) : 0
        let dx = backend.softmaxCrossEntropyBackward(probabilities: probs, targets: targets, classWeights: classWeights,
                                                     pixelWeights: pixelWeights, scale: scale)
        return [dx.inLayout(layout)]
    }
    return loss
}

/// Soft Dice loss over softmax probabilities p and one-hot targets g, summed over the batch and
/// all pixels per class c: dice_c = (2Σ p_c g_c + ε) / (Σ p_c + Σ g_c + ε); loss = 1 − mean_c dice_c.
/// Returns the scalar [1].
public func softDiceLoss(_ logits: Tensor, targets: Tensor, epsilon: Float = 1) -> Tensor {
    let s = logits.shape
    checkTargets(targets, logits: s, op: "dice")
    let backend = Backend.current
    let probs = backend.softmax(logits)
    let (inter, psum, gsum) = backend.diceSums(probabilities: probs, targets: targets)
    let eps = Double(epsilon)
    var meanDice: Double = 0
    for c in 0..<s.c { meanDice += (2 * inter[c] + eps) / (psum[c] + gsum[c] + eps) }
    meanDice /= Double(s.c)
    let loss = Tensor(shape: Shape(1), scalars: [Float(1 - meanDice)])
    let layout = logits.layout
    Tape.record(loss, inputs: [logits]) { dy in
        // dL/dp_c = −(1/C)·(2g_c·D_c − (2I_c+ε)) / D_c², D_c = Σp_c + Σg_c + ε; then through softmax.
        let up = Double(dy.scalar)
        var a = [Double](repeating: 0, count: s.c), b = a
        for c in 0..<s.c {
            let d = psum[c] + gsum[c] + eps
            a[c] = -up / Double(s.c) * 2 / d
            b[c] = up / Double(s.c) * (2 * inter[c] + eps) / (d * d)
        }
        return [backend.diceBackward(probabilities: probs, targets: targets, a: a, b: b).inLayout(layout)]
    }
    return loss
}
