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
public func lovaszSoftmaxLoss(_ logits: Tensor, targets: [Int32]) -> Tensor {
    let s = logits.shape
    let plane = s.h * s.w
    let count = s.n * plane
    precondition(targets.count == count, "[lovasz] \(targets.count) targets for logits \(s)")
    let probs = Backend.current.softmax(logits)
    var present = [Bool](repeating: false, count: s.c)
    for t in targets {
        precondition(t >= 0 && Int(t) < s.c, "[lovasz] target \(t) outside 0..<\(s.c)")
        present[Int(t)] = true
    }
    let presentCount = present.filter { $0 }.count
    // Per class: the slope of the loss with respect to each pixel's error (sorted position's ΔJ).
    var slopes = [[Float]](repeating: [], count: s.c)
    var total: Double = 0
    var errors = [Float](repeating: 0, count: count)
    for c in 0..<s.c where present[c] {
        var classPixels = 0
        for n in 0..<s.n {
            for i in 0..<plane {
                let j = n * plane + i
                let isClass = Int(targets[j]) == c
                if isClass { classPixels += 1 }
                let p = probs.pointer[(n * s.c + c) * plane + i]
                errors[j] = isClass ? 1 - p : p
            }
        }
        // Ties are broken by index so the order (and so the gradient) is deterministic.
        let order = (0..<count).sorted { errors[$0] != errors[$1] ? errors[$0] > errors[$1] : $0 < $1 }
        var slope = [Float](repeating: 0, count: count)
        let g = Double(classPixels)
        var inClass: Double = 0, previous: Double = 0, sum: Double = 0
        for (k, j) in order.enumerated() {
            if Int(targets[j]) == c { inClass += 1 }
            let jaccard = 1 - (g - inClass) / (g + Double(k + 1) - inClass)
            let step = jaccard - previous
            previous = jaccard
            slope[j] = Float(step)
            sum += Double(errors[j]) * step
        }
        slopes[c] = slope
        total += sum
    }
    let loss = Tensor(shape: Shape(1), scalars: [presentCount > 0 ? Float(total / Double(presentCount)) : 0])
    Tape.record(loss, inputs: [logits]) { dy in
        // d loss / d p_ic = slope · (−1 if t_i = c else +1) / |present|, then through the softmax.
        let scale = presentCount > 0 ? dy.pointer[0] / Float(presentCount) : 0
        let dx = softmaxPullback(probs, targets: targets) { j, t, dp in
            for c in 0..<s.c { dp[c] = present[c] ? scale * (c == t ? -slopes[c][j] : slopes[c][j]) : 0 }
        }
        return [dx.inLayout(logits.layout)]
    }
    return loss
}
