#if canImport(Glibc)
import Glibc
#endif

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

    /// The tape recording on this thread, if any. Thread-local, so that several model replicas
    /// can train on several threads of one process (an in-process fake world of ranks). The slot
    /// holds the tape unretained: only `record` and `withoutRecording` set it, and they restore
    /// the previous value before the tape they installed can be released.
    static var current: Tape? {
        get { pthread_getspecific(tapeKey).map { Unmanaged<Tape>.fromOpaque($0).takeUnretainedValue() } }
        set { pthread_setspecific(tapeKey, newValue.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) }) }
    }

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
    ///
    /// `gradientFinal`, when given, is called once per leaf (parameter) of this pass as soon as
    /// its gradient is final: after the last node (in backward order) that takes it as an input
    /// has run, or was skipped because no gradient reached it. A leaf used by two nodes (or twice
    /// by one) is reported after both contributions. The count is taken over this pass's nodes
    /// alone; a leaf that received no contribution is reported with whatever `grad` it had
    /// (nil when it was zeroed). Data-parallel training starts communicating a gradient here.
    public func backward(from output: Tensor, seed: Tensor? = nil, gradientFinal: ((Tensor) -> Void)? = nil) {
        // Uses of each leaf still to come in this pass (only counted when someone listens).
        var pendingUses: [ObjectIdentifier: Int] = [:]
        if gradientFinal != nil {
            for node in nodes {
                for input in node.inputs where input.leaf != nil { pendingUses[input.id, default: 0] += 1 }
            }
        }
        // Pending gradients of recorded outputs, by identity. A tensor's producer is recorded
        // before its consumers and all its consumers run before it can be freed, so an
        // identifier is never shared by two tensors whose gradients are pending at once.
        var grads: [ObjectIdentifier: Tensor] = [:]
        grads[ObjectIdentifier(output)] = seed ?? Tensor.filled(1, shape: output.shape, layout: output.layout)
        // Pop nodes one at a time, so each node's saved activations are released as soon as
        // its pullback has run (the peak is then the forward's activations, not twice that).
        while let node = nodes.popLast() {
            defer {
                if let gradientFinal {
                    for input in node.inputs {
                        guard let leaf = input.leaf, let left = pendingUses[input.id] else { continue }
                        if left == 1 { pendingUses[input.id] = nil; gradientFinal(leaf) } else { pendingUses[input.id] = left - 1 }
                    }
                }
            }
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

/// The thread-local slot of `Tape.current` (no destructor: the slot never owns the tape).
private let tapeKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "[Tape] cannot create the thread-local slot")
    return key
}()
