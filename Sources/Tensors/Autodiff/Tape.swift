/// Reverse-mode automatic differentiation by a tape.
///
/// While a tape is recording, every op whose inputs require gradients appends a node holding its
/// pullback (written beside the op's forward). `backward(from:)` walks the nodes in reverse and
/// accumulates: a tensor used twice (every U-Net skip) receives the sum of both gradients.
/// Leaf tensors (parameters) collect their gradient in `grad`, adding to what is there until the
/// caller zeroes it.
public final class Tape {
    struct Node {
        let inputs: [Tensor]
        /// Held weakly: an output nobody consumed dies after the forward pass (no gradient can
        /// reach it), instead of being kept alive until the backward pass.
        weak var output: Tensor?
        let outputID: ObjectIdentifier
        let pullback: (Tensor) -> [Tensor?]
    }

    private(set) var nodes: [Node] = []

    /// The tape recording on this thread of control, if any (training runs ops from one thread).
    nonisolated(unsafe) static var current: Tape?

    public init() {}

    /// Whether ops are being recorded (false during inference).
    public static var isRecording: Bool { current != nil }

    /// Runs `body` with this tape recording the ops it performs.
    public func record<T>(_ body: () throws -> T) rethrows -> T {
        let previous = Tape.current
        Tape.current = self
        defer { Tape.current = previous }
        return try body()
    }

    /// Runs `body` with no tape recording (inference, metric computations).
    public static func withoutRecording<T>(_ body: () throws -> T) rethrows -> T {
        let previous = Tape.current
        Tape.current = nil
        defer { Tape.current = previous }
        return try body()
    }

    /// Appends `pullback` for `output` if a tape is recording and any input requires gradients.
    /// The pullback maps the output's gradient to one gradient (or nil) per input, in order.
    static func record(_ output: Tensor, inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor?]) {
        guard let tape = current, inputs.contains(where: { $0.requiresGrad }) else { return }
        output.requiresGrad = true
        output.isRecordedOutput = true
        tape.nodes.append(Node(inputs: inputs, output: output, outputID: ObjectIdentifier(output), pullback: pullback))
    }

    /// Number of recorded nodes.
    public var count: Int { nodes.count }

    /// Back-propagates from `output`, seeded with `seed` (ones when nil, i.e. d output = 1).
    /// The tape is consumed: its nodes and the activations they hold are released.
    public func backward(from output: Tensor, seed: Tensor? = nil) {
        // Pending gradients, each with its tensor held strongly: while an entry exists its tensor is
        // alive, so the identifier cannot be reused by another tensor.
        var grads: [ObjectIdentifier: (tensor: Tensor, grad: Tensor)] = [:]
        grads[ObjectIdentifier(output)] = (output, seed ?? Tensor.filled(1, shape: output.shape, layout: output.layout))
        // Pop nodes one at a time, so each node's saved activations are released as soon as
        // its pullback has run (the peak is then the forward's activations, not twice that).
        while let node = nodes.popLast() {
            guard let dy = grads.removeValue(forKey: node.outputID)?.grad else { continue }
            let dxs = node.pullback(dy)
            precondition(dxs.count == node.inputs.count, "[Tape] pullback returned \(dxs.count) gradients for \(node.inputs.count) inputs")
            for (input, dx) in zip(node.inputs, dxs) {
                guard input.requiresGrad, let dx else { continue }
                precondition(dx.shape == input.shape, "[Tape] gradient \(dx.shape) for input \(input.shape)")
                if input.isRecordedOutput {
                    let key = ObjectIdentifier(input)
                    // Out of place: a pullback may hand the same tensor to several inputs.
                    grads[key] = (input, grads[key].map { Backend.current.add($0.grad, dx.inLayout($0.grad.layout)) } ?? dx)
                } else if let existing = input.grad {
                    Backend.current.accumulate(into: existing, dx.inLayout(existing.layout))
                } else {
                    input.grad = dx.inLayout(input.layout).copy()
                }
            }
        }
    }
}
