/// A tensor: a shape, an element type (`dtype`), a memory layout, and storage on the device of
/// the backend that allocated it. Activations are 4-D NCHW; the layout (`plain`, blocked or NHWC)
/// is chosen by the backend and is invisible to callers that read values through `scalars`.
///
/// There is no public raw pointer. Host code reads and writes values through explicit calls
/// (`scalars`, `integers`, `scalar`, `assign`, the initialisers taking arrays), which the backend
/// implements by copying, and synchronising when its device computes asynchronously. Backends
/// reach their own memory through the package-level `pointer`/`storage.address`.
///
/// Tensors are reference types: the tape records them by identity, and optimizers update
/// parameters in place (calling `markModified()` so cached re-laid-out copies are refreshed).
public final class Tensor {
    public let shape: Shape
    public let dtype: DType
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

    /// An uninitialised tensor (contents undefined) in memory of the current backend.
    public init(shape: Shape, layout: Layout = .plain, dtype: DType = .float32, requiresGrad: Bool = false) {
        precondition(layout.fits(shape),
                     "[Tensor] \(layout) layout needs a 4-D shape\(layout.channelBlock.map { " with channels divisible by \($0)" } ?? ""), got \(shape)")
        self.shape = shape
        self.dtype = dtype
        self.layout = layout
        self.storage = Backend.current.allocate(byteCount: shape.count * dtype.byteSize)
        self.requiresGrad = requiresGrad
    }

    /// A tensor over storage a backend allocated itself: a device backend's results stay on its
    /// device whichever backend is current when a recorded pullback runs.
    package init(shape: Shape, layout: Layout = .plain, dtype: DType = .float32, storage: Storage) {
        precondition(storage.byteCount >= shape.count * dtype.byteSize, "[Tensor] \(storage.byteCount) bytes for \(shape) \(dtype)")
        self.shape = shape
        self.dtype = dtype
        self.layout = layout
        self.storage = storage
        self.requiresGrad = false
    }

    /// A plain float32 tensor holding `scalars` in row-major order.
    public convenience init(shape: Shape, scalars: [Float], requiresGrad: Bool = false) {
        precondition(scalars.count == shape.count, "[Tensor] \(scalars.count) values for shape \(shape)")
        self.init(shape: shape, layout: .plain, requiresGrad: requiresGrad)
        write(scalars)
    }

    /// A plain int32 tensor holding `integers` in row-major order (class indices).
    public convenience init(shape: Shape, integers: [Int32]) {
        precondition(integers.count == shape.count, "[Tensor] \(integers.count) values for shape \(shape)")
        self.init(shape: shape, layout: .plain, dtype: .int32)
        write(integers)
    }

    /// A float32 tensor filled with `value`.
    public static func filled(_ value: Float, shape: Shape, layout: Layout = .plain) -> Tensor {
        let t = Tensor(shape: shape, layout: layout)
        Backend.current.fill(t, with: value)
        return t
    }

    public static func zeros(_ shape: Shape, layout: Layout = .plain) -> Tensor { filled(0, shape: shape, layout: layout) }

    /// Normal samples with the given standard deviation, drawn on the host from `rng` (so a
    /// seed gives the same weights on every backend).
    public static func randomNormal(_ shape: Shape, std: Float = 1, using rng: inout SeededGenerator) -> Tensor {
        var values = [Float](repeating: 0, count: shape.count)
        for i in values.indices { values[i] = rng.nextGaussian() * std }
        return Tensor(shape: shape, scalars: values)
    }

    public var count: Int { shape.count }
    public var device: Device { storage.device }

    /// The float32 storage as a host pointer: for host backends only. Checked in release builds
    /// too (host loops take the pointer once per tensor, not per element, where speed matters).
    package var pointer: UnsafeMutablePointer<Float> {
        precondition(dtype == .float32, "[Tensor] float pointer to a \(dtype) tensor")
        return storage.pointer
    }

    /// The storage as a host pointer to `T` (int32 and bfloat16 tensors): for host backends only.
    package func hostAddress<T>(as type: T.Type) -> UnsafeMutablePointer<T> {
        precondition(device == .host, "[Tensor] host access to \(device) memory")
        precondition(MemoryLayout<T>.stride == dtype.byteSize, "[Tensor] \(T.self) view of a \(dtype) tensor")
        return storage.address.assumingMemoryBound(to: T.self)
    }

    /// An int32 tensor's host memory (host backends only).
    package var hostIntegers: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: hostAddress(as: Int32.self), count: count) }
    /// A float32 tensor's host memory in storage order (host backends only).
    package var hostFloats: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: pointer, count: count) }

    /// The values in plain row-major order as floats (converting from a blocked layout and from
    /// bfloat16 if needed; copied from the device).
    public var scalars: [Float] {
        precondition(dtype.isFloatingPoint, "[Tensor] scalars of a \(dtype) tensor; read integers")
        // Layout changes are float32 operations; bfloat16 widens exactly first.
        if dtype == .bfloat16 { return converted(to: .float32).scalars }
        let plain = layout == .plain ? self : Backend.current.relayout(self, to: .plain)
        return plain.read(Float.self)
    }

    /// The values of an int32 tensor, row-major.
    public var integers: [Int32] {
        precondition(dtype == .int32, "[Tensor] integers of a \(dtype) tensor")
        return read(Int32.self)
    }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "[Tensor] scalar of \(shape)")
        return scalars[0]
    }

    /// This tensor in `layout`, sharing storage when it is already there.
    public func inLayout(_ target: Layout) -> Tensor {
        target == layout ? self : Backend.current.relayout(self, to: target)
    }

    /// The same values as `dtype` (shares storage when it already is).
    public func converted(to target: DType) -> Tensor {
        target == dtype ? self : Backend.current.convert(self, to: target)
    }

    /// A copy with its own storage, in the same layout and dtype.
    public func copy() -> Tensor { Backend.current.copy(self) }

    /// Overwrites the values with `scalars` (plain order) and marks the tensor modified.
    public func assign(_ scalars: [Float]) {
        precondition(layout == .plain && dtype == .float32 && scalars.count == count,
                     "[Tensor] assign \(scalars.count) values to \(shape) \(layout) \(dtype)")
        write(scalars)
        markModified()
    }

    /// Records an in-place change (optimizer steps, loading weights).
    public func markModified() { version &+= 1 }

    private func read<T>(_ type: T.Type) -> [T] {
        precondition(MemoryLayout<T>.stride == dtype.byteSize)
        return [T](unsafeUninitializedCapacity: count) { buffer, initialised in
            Backend.current.copyToHost(storage, byteOffset: 0, into: UnsafeMutableRawBufferPointer(buffer))
            initialised = count
        }
    }

    private func write<T>(_ values: [T]) {
        precondition(MemoryLayout<T>.stride == dtype.byteSize && values.count == count)
        values.withUnsafeBytes { Backend.current.copyFromHost($0, into: storage, byteOffset: 0) }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor\(shape) \(dtype) \(layout) \(device)" }
}
