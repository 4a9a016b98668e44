import Tensors

/// The first disagreement between the tape's gradients and central finite differences, or nil.
/// The objective is Σ y·r for a fixed random r (seed 99), so every output element counts; each
/// input that requires a gradient is probed at up to `samples` evenly spaced positions; a probe
/// passes within `atol` × the largest sampled gradient of that input + `rtol` × its own. Used by
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
    // Element i of an input's storage, read and written through the backend (it may be device memory).
    let backend = Backend.current
    func element(_ x: Tensor, _ i: Int) -> Float {
        var v: Float = 0
        withUnsafeMutableBytes(of: &v) { backend.copyToHost(x.storage, byteOffset: i * 4, into: $0) }
        return v
    }
    func set(_ x: Tensor, _ i: Int, _ v: Float) {
        withUnsafeBytes(of: v) { backend.copyFromHost($0, into: x.storage, byteOffset: i * 4) }
        x.markModified()
    }
    for (k, x) in inputs.enumerated() where x.requiresGrad {
        guard let grad = x.grad?.scalars else { return "input \(k) got no gradient" }
        var numeric: [(index: Int, value: Float)] = []
        for i in Swift.stride(from: 0, to: x.count, by: max(1, x.count / samples)) {
            let saved = element(x, i)
            set(x, i, saved + eps)
            let plus = objective()
            set(x, i, saved - eps)
            let minus = objective()
            set(x, i, saved)
            numeric.append((i, Float((plus - minus) / Double(2 * eps))))
        }
        // `atol` is relative to the scale of this input's gradient (the largest sampled), so a
        // loss whose gradients are all small (Dice: about 1/(classes·pixels)) is held to the
        // same rule as any other; it used to be absolute, and a 5% error in Dice's gradient passed.
        let scale = max(numeric.map { abs($0.value) }.max() ?? 0, 1e-6)
        for (i, value) in numeric where abs(value - grad[i]) > atol * scale + rtol * abs(value) {
            return "input \(k) \(x.shape) index \(i): tape \(grad[i]) vs finite differences \(value) (gradient scale \(scale))"
        }
    }
    return nil
}
