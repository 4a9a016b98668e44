/// Reverse-mode automatic differentiation by a tape.
///
/// While a tape is recording, every op whose inputs require gradients appends a node holding its
/// pullback (written beside the op's forward). `backward(from:)` walks the nodes in reverse and
/// accumulates: a tensor used twice (every U-Net skip) receives the sum of both gradients.
/// Leaf tensors (parameters) collect their gradient in `grad`, adding to what is there until the
/// caller zeroes it.
public final class Tape {
    /// What the backward pass needs to know about an op's input. Recorded outputs are kept only by
    /// identity: a pullback captures the tensors it really needs (a convolution its input, an
    /// addition nothing), so inputs that no pullback needs are freed after the forward pass.
    /// Leaves (parameters) are held, to receive their gradient.
    struct Input {
        let id: ObjectIdentifier
        let shape: Shape
        let requiresGrad: Bool
        let leaf: Tensor?
    }

    struct Node {
        let inputs: [Input]
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
        let refs = inputs.map {
            Input(id: ObjectIdentifier($0), shape: $0.shape, requiresGrad: $0.requiresGrad, leaf: $0.isRecordedOutput || !$0.requiresGrad ? nil : $0)
        }
        tape.nodes.append(Node(inputs: refs, outputID: ObjectIdentifier(output), pullback: pullback))
    }

    /// Number of recorded nodes.
    public var count: Int { nodes.count }

    /// Back-propagates from `output`, seeded with `seed` (ones when nil, i.e. d output = 1).
    /// The tape is consumed: its nodes and the activations they hold are released.
    public func backward(from output: Tensor, seed: Tensor? = nil) {
        // Pending gradients of recorded outputs, by identity. A tensor's producer is recorded
        // before its consumers and all its consumers run before it can be freed, so an
        // identifier is never shared by two tensors whose gradients are pending at once.
        var grads: [ObjectIdentifier: Tensor] = [:]
        grads[ObjectIdentifier(output)] = seed ?? Tensor.filled(1, shape: output.shape, layout: output.layout)
        // Pop nodes one at a time, so each node's saved activations are released as soon as
        // its pullback has run (the peak is then the forward's activations, not twice that).
        while let node = nodes.popLast() {
            guard let dy = grads.removeValue(forKey: node.outputID) else { continue }
            let dxs = node.pullback(dy)
            precondition(dxs.count == node.inputs.count, "[Tape] pullback returned \(dxs.count) gradients for \(node.inputs.count) inputs")
            for (input, dx) in zip(node.inputs, dxs) {
                guard input.requiresGrad, let dx else { continue }
                precondition(dx.shape == input.shape, "[Tape] gradient \(dx.shape) for input \(input.shape)")
                if let leaf = input.leaf {
                    if let existing = leaf.grad {
                        Backend.current.accumulate(into: existing, dx.inLayout(existing.layout))
                    } else {
                        leaf.grad = dx.inLayout(leaf.layout).copy()
                    }
                } else {
                    // Out of place: a pullback may hand the same tensor to several inputs.
                    grads[input.id] = grads[input.id].map { Backend.current.add($0, dx.inLayout($0.layout)) } ?? dx
                }
            }
        }
    }
}
