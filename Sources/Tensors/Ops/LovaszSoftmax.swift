/// Lovász-softmax loss (Berman, Triki & Blaschko, CVPR 2018): the tight convex surrogate of
/// 1 − IoU, so that training optimises the metric that segmentation is scored by.
///
/// Over all pixels of the batch, for each class c present in the targets: errors
/// e_i = |[t_i = c] − p_ic| with p = softmax(logits), sorted in decreasing order; with G pixels of
/// class c, the Jaccard loss of treating the k largest errors as wrong is
/// J_k = 1 − (G − g_k) / (G + k − g_k), where g_k counts class-c pixels among them. Then
///
///     loss_c = Σ_k e_(k) · (J_k − J_(k−1)),   J_0 = 0;   loss = mean over present classes.
///
/// The loss is piecewise linear in the errors (the sort order fixes the weights), so its gradient
/// is ±(J_k − J_(k−1)) per pixel, through the softmax. Classes absent from the batch's targets
/// are skipped: their IoU is undefined. Returns the scalar [1].
public func lovaszSoftmaxLoss(_ logits: Tensor, targets: Tensor) -> Tensor {
    let s = logits.shape
    let present = checkTargets(targets, logits: s, op: "lovasz").map { $0 > 0 }
    let backend = Backend.current
    let probs = backend.softmax(logits)
    let presentCount = present.filter { $0 }.count
    let (total, slopes) = backend.lovaszSoftmax(probabilities: probs, targets: targets, present: present)
    let loss = Tensor(shape: Shape(1), scalars: [presentCount > 0 ? Float(total / Double(presentCount)) : 0])
    let layout = logits.layout
    Tape.record(loss, inputs: [logits]) { dy in
        // d loss / d p_ic = slope · (−1 if t_i = c else +1) / |present|, then through the softmax.
        let scale = presentCount > 0 ? dy.scalar / Float(presentCount) : 0
        return [backend.lovaszSoftmaxBackward(probabilities: probs, targets: targets, slopes: slopes, scale: scale).inLayout(layout)]
    }
    return loss
}
