/// Inverted dropout: during training each element is zeroed with probability p and the rest
/// scaled by 1/(1−p); at inference it is the identity. One word drawn from `rng` seeds the mask
/// (`DropoutMask`), so a seed reproduces it on every backend.
public func dropout(_ x: Tensor, probability p: Float, training: Bool, rng: inout SeededGenerator) -> Tensor {
    precondition(p >= 0 && p < 1, "[dropout] probability \(p) outside [0, 1)")
    guard training, p > 0 else { return x }
    let backend = Backend.current
    let mask = backend.dropoutMask(shape: x.shape, layout: x.layout, probability: p, seed: rng.next())
    let y = backend.multiply(x, mask)
    let layout = x.layout
    Tape.record(y, inputs: [x]) { dy in [backend.multiply(dy.inLayout(layout), mask)] }
    return y
}
