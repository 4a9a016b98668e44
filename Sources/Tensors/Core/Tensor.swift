/// A float32 tensor. Activations are 4-D NCHW; the memory layout (`plain` or `blocked16`) is
/// chosen by the backend and is invisible to callers that read values through `scalars`.
///
/// Tensors are reference types: the tape records them by identity, and optimizers update
/// parameters in place (calling `markModified()` so cached re-laid-out copies are refreshed).
public final class Tensor {
    public let shape: Shape
    public let layout: Layout
    public let storage: Storage
    /// Whether gradients flow to this tensor (parameters, and outputs of ops on such tensors).
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf tensor after `Tape.backward`; `nil` until then.
    public var grad: Tensor?
    /// True for outputs of recorded ops; their gradients live on the tape, not in `grad`.
    var isRecordedOutput = false
    /// Bumped on every in-place change, so caches keyed on it notice.
    public private(set) var version = 0
    /// Recomputes this tensor's values from tensors that are saved anyway. Set by ops whose
    /// output is cheap to redo (batch norm + ReLU): a consumer's pullback may keep this recipe
    /// instead of the tensor, so the tensor is freed after the forward pass.
    var recompute: (() -> Tensor)?

    /// An uninitialised tensor (contents undefined).
    public init(shape: Shape, layout: Layout = .plain, requiresGrad: Bool = false) {
        precondition(layout == .plain || (shape.rank == 4 && shape[1] % 16 == 0),
                     "[Tensor] blocked16 layout needs a 4-D shape with channels divisible by 16, got \(shape)")
        self.shape = shape
        self.layout = layout
        self.storage = Storage(count: shape.count)
        self.requiresGrad = requiresGrad
    }

    /// A plain tensor holding `scalars` in row-major order.
    public convenience init(shape: Shape, scalars: [Float], requiresGrad: Bool = false) {
        precondition(scalars.count == shape.count, "[Tensor] \(scalars.count) values for shape \(shape)")
        self.init(shape: shape, layout: .plain, requiresGrad: requiresGrad)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: $0.count) }
    }

    /// A tensor filled with `value`.
    public static func filled(_ value: Float, shape: Shape, layout: Layout = .plain) -> Tensor {
        let t = Tensor(shape: shape, layout: layout)
        t.storage.pointer.update(repeating: value, count: shape.count)
        return t
    }

    public static func zeros(_ shape: Shape, layout: Layout = .plain) -> Tensor { filled(0, shape: shape, layout: layout) }

    /// Normal samples with the given standard deviation.
    public static func randomNormal(_ shape: Shape, std: Float = 1, using rng: inout SeededGenerator) -> Tensor {
        let t = Tensor(shape: shape)
        for i in 0..<shape.count { t.storage.pointer[i] = rng.nextGaussian() * std }
        return t
    }

    public var count: Int { shape.count }
    public var pointer: UnsafeMutablePointer<Float> { storage.pointer }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: storage.pointer, count: count) }

    /// The values in plain row-major order (converting from a blocked layout if needed).
    public var scalars: [Float] {
        let p = layout == .plain ? self : Backend.current.relayout(self, to: .plain)
        return Array(UnsafeBufferPointer(start: p.pointer, count: count))
    }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "[Tensor] scalar of \(shape)")
        return pointer[0]
    }

    /// This tensor in `layout`, sharing storage when it is already there.
    public func inLayout(_ target: Layout) -> Tensor {
        target == layout ? self : Backend.current.relayout(self, to: target)
    }

    /// A copy with its own storage, in the same layout.
    public func copy() -> Tensor {
        let t = Tensor(shape: shape, layout: layout)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// Overwrites the values with `scalars` (plain order) and marks the tensor modified.
    public func assign(_ scalars: [Float]) {
        precondition(layout == .plain && scalars.count == count, "[Tensor] assign \(scalars.count) values to \(shape) \(layout)")
        scalars.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
        markModified()
    }

    /// Records an in-place change (optimizer steps, loading weights).
    public func markModified() { version &+= 1 }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor\(shape) \(layout)" }
}
