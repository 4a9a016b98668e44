import Tensors

/// The first disagreement between the tape's gradients and central finite differences, or nil.
/// The objective is Σ y·r for a fixed random r (seed 99), so every output element counts; each
/// input that requires a gradient is probed at up to `samples` evenly spaced positions. Used by
/// the ops' gradient checks and by the backend conformance suite (on whichever backend is current).
public func gradientMismatch(_ inputs: [Tensor], eps: Float = 1e-2, rtol: Float = 2e-2, atol: Float = 2e-3, samples: Int = 24,
                             _ f: ([Tensor]) -> Tensor) -> String? {
    var rng = SeededGenerator(seed: 99)
    let r = (0..<Tape.withoutRecording { f(inputs) }.count).map { _ in rng.nextGaussian() }
    func objective() -> Double {
        let y = Tape.withoutRecording { f(inputs) }.scalars
        return zip(y, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    for x in inputs { x.grad = nil }
    let tape = Tape()
    let y = tape.record { f(inputs) }
    tape.backward(from: y, seed: Tensor(shape: y.shape, scalars: r).inLayout(y.layout))
    for (k, x) in inputs.enumerated() where x.requiresGrad {
        guard let grad = x.grad?.scalars else { return "input \(k) got no gradient" }
        for i in Swift.stride(from: 0, to: x.count, by: max(1, x.count / samples)) {
            let saved = x.pointer[i]
            x.pointer[i] = saved + eps; x.markModified()
            let plus = objective()
            x.pointer[i] = saved - eps; x.markModified()
            let minus = objective()
            x.pointer[i] = saved; x.markModified()
            let numeric = Float((plus - minus) / Double(2 * eps))
            if abs(numeric - grad[i]) > atol + rtol * abs(numeric) {
                return "input \(k) \(x.shape) index \(i): tape \(grad[i]) vs finite differences \(numeric)"
            }
        }
    }
    return nil
}
