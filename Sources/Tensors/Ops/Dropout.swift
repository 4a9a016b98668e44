/// Inverted dropout: during training each element is zeroed with probability p and the rest
/// scaled by 1/(1−p); at inference it is the identity. The mask comes from `rng`, so a seed
/// reproduces it.
public func dropout(_ x: Tensor, probability p: Float, training: Bool, rng: inout SeededGenerator) -> Tensor {
    precondition(p >= 0 && p < 1, "[dropout] probability \(p) outside [0, 1)")
    guard training, p > 0 else { return x }
    let keep = 1 / (1 - p)
    let mask = Tensor(shape: x.shape, layout: x.layout)
    for i in 0..<x.count { mask.pointer[i] = rng.nextUnitFloat() < p ? 0 : keep }
    let y = Tensor(shape: x.shape, layout: x.layout)
    for i in 0..<x.count { y.pointer[i] = x.pointer[i] * mask.pointer[i] }
    Tape.record(y, inputs: [x]) { dy in
        let dy = dy.inLayout(x.layout)
        let dx = Tensor(shape: x.shape, layout: x.layout)
        for i in 0..<x.count { dx.pointer[i] = dy.pointer[i] * mask.pointer[i] }
        return [dx]
    }
    return y
}
