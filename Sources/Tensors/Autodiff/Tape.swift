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
        let output: Tensor
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
        tape.nodes.append(Node(inputs: inputs, output: output, pullback: pullback))
    }

    /// Number of recorded nodes.
    public var count: Int { nodes.count }

    /// Back-propagates from `output`, seeded with `seed` (ones when nil, i.e. d output = 1).
    /// The tape is consumed: its nodes and the activations they hold are released.
    public func backward(from output: Tensor, seed: Tensor? = nil) {
        var grads: [ObjectIdentifier: Tensor] = [:]
        grads[ObjectIdentifier(output)] = seed ?? Tensor.filled(1, shape: output.shape, layout: output.layout)
        let all = nodes
        nodes = []
        for node in all.reversed() {
            guard let dy = grads.removeValue(forKey: ObjectIdentifier(node.output)) else { continue }
            let dxs = node.pullback(dy)
            precondition(dxs.count == node.inputs.count, "[Tape] pullback returned \(dxs.count) gradients for \(node.inputs.count) inputs")
            for (input, dx) in zip(node.inputs, dxs) {
                guard input.requiresGrad, let dx else { continue }
                precondition(dx.shape == input.shape, "[Tape] gradient \(dx.shape) for input \(input.shape)")
                if input.isRecordedOutput {
                    let key = ObjectIdentifier(input)
                    // Out of place: a pullback may hand the same tensor to several inputs.
                    grads[key] = grads[key].map { Backend.current.add($0, dx.inLayout($0.layout)) } ?? dx
                } else if let existing = input.grad {
                    Backend.current.accumulate(into: existing, dx.inLayout(existing.layout))
                } else {
                    input.grad = dx.inLayout(input.layout).copy()
                }
            }
        }
    }
}
