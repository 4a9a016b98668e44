/// Inverted dropout: during training each element is zeroed with probability p and the rest
/// scaled by 1/(1−p); at inference it is the identity. The mask comes from `rng`, so a seed
/// reproduces it.
public func dropout(_ x: Tensor, probability p: Float, training: Bool, rng: inout SeededGenerator) -> Tensor {
    precondition(p >= 0 && p < 1, "[dropout] probability \(p) outside [0, 1)")
    guard training, p > 0 else { return x }
    let keep = 1 / (1 - p)
    // The mask is drawn on the host, element by element in x's storage order.
    let mask = Tensor(shape: x.shape, layout: x.layout)
    for i in 0..<x.count { mask.pointer[i] = rng.nextUnitFloat() < p ? 0 : keep }
    let backend = Backend.current
    let y = backend.multiply(x, mask)
    let layout = x.layout
    Tape.record(y, inputs: [x]) { dy in [backend.multiply(dy.inLayout(layout), mask)] }
    return y
}
