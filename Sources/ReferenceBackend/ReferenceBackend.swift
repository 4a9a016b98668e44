import Tensors

/// The reference backend: every `ComputeBackend` method as plain Swift loops over row-major
/// NCHW buffers, accumulating sums in Double. Readable and slow; it is the oracle other backends
/// are checked against (Tests/ConformanceTests), not a backend to train real models with.
///
/// Layouts: it stores everything `.plain`. A blocked or NHWC input (made by another backend, e.g. a
/// tensor read while this backend is current) is converted to plain first, so every result is
/// plain; only `accumulate` writes in place into whatever layout its target has.
/// It keeps no state between calls (no caches), so switching `Backend.current` to or from it is safe.
///
/// With `convolutionPrecision` bf16 it emulates mixed-precision convolutions: every convolution's
/// inputs and weights are rounded to bfloat16 (nearest, ties to even) before the same loops, so
/// the products are exact and only the accumulation differs from a backend's bf16 kernels; tf32
/// rounds them to TensorFloat-32 the same way (a GPU's tensor cores).
public final class ReferenceBackend: HostBackend {
    public private(set) var convolutionPrecision: Precision

    public init(convolutionPrecision: Precision = .fp32) {
        self.convolutionPrecision = convolutionPrecision
    }

    /// Any precision: bf16 and tf32 are emulated (see above).
    public func setConvolutionPrecision(_ precision: Precision) throws { convolutionPrecision = precision }

    public var name: String { "reference" }

    public func preferredLayout(channels: Int) -> Layout { .plain }

    public func relayout(_ x: Tensor, to layout: Layout) -> Tensor {
        if x.layout == layout { return x }
        if x.layout != .plain && layout != .plain { return relayout(relayout(x, to: .plain), to: layout) }
        let y = Tensor(shape: x.shape, layout: layout)
        switch (x.layout, layout) {
        case (.blocked16, _), (.blocked8, _): BlockedLayout.unblock(x.pointer, into: y.pointer, shape: x.shape, block: x.layout.channelBlock!)
        case (_, .blocked16), (_, .blocked8): BlockedLayout.block(x.pointer, into: y.pointer, shape: x.shape, block: layout.channelBlock!)
        case (.channelsLast, _): ChannelsLast.toPlain(x.pointer, into: y.pointer, shape: x.shape)
        default: ChannelsLast.fromPlain(x.pointer, into: y.pointer, shape: x.shape)
        }
        return y
    }

    /// `x` in plain layout (a converted copy when it is blocked).
    func plain(_ x: Tensor) -> Tensor { relayout(x, to: .plain) }

    public func convolutionWorkspaceBytesPerPixel(weight w: Shape, geometry: ConvGeometry, transposed: Bool) -> Int { 0 }

    // MARK: Elementwise

    public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "[add] \(a.shape) vs \(b.shape)")
        let a = plain(a), b = plain(b)
        let y = Tensor(shape: a.shape)
        for i in 0..<a.count { y.pointer[i] = a.pointer[i] + b.pointer[i] }
        return y
    }

    /// a += b; the sum is elementwise, so it runs in a's layout (b is brought there).
    public func accumulate(into a: Tensor, _ b: Tensor) {
        precondition(a.shape == b.shape, "[accumulate] \(a.shape) vs \(b.shape)")
        let b = relayout(b, to: a.layout)
        for i in 0..<a.count { a.pointer[i] += b.pointer[i] }
        a.markModified()
    }

    public func axpy(_ alpha: Float, _ b: Tensor, into a: Tensor) {
        precondition(a.shape == b.shape && a.layout == b.layout, "[axpy] \(a) vs \(b)")
        for i in 0..<a.count { a.pointer[i] += alpha * b.pointer[i] }
        a.markModified()
    }

    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        let x = plain(x)
        let y = Tensor(shape: x.shape)
        for i in 0..<x.count {
            let v = x.pointer[i]
            switch kind {
            case .relu: y.pointer[i] = v > 0 ? v : 0
            case .leakyRelu(let slope): y.pointer[i] = v > 0 ? v : slope * v
            }
        }
        return y
    }

    /// From the output: y > 0 exactly where x > 0 (for a positive slope too), so the mask is the same.
    public func activationBackward(_ dy: Tensor, y: Tensor, _ kind: Activation) -> Tensor {
        precondition(dy.shape == y.shape, "[activation backward] dy \(dy.shape) vs y \(y.shape)")
        let dy = plain(dy), y = plain(y)
        let dx = Tensor(shape: y.shape)
        for i in 0..<y.count {
            let g = dy.pointer[i]
            switch kind {
            case .relu: dx.pointer[i] = y.pointer[i] > 0 ? g : 0
            case .leakyRelu(let slope): dx.pointer[i] = y.pointer[i] > 0 ? g : slope * g
            }
        }
        return dx
    }

    public func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "[add_relu] \(a.shape) vs \(b.shape)")
        let a = plain(a), b = plain(b)
        let y = Tensor(shape: a.shape)
        for i in 0..<a.count { y.pointer[i] = max(a.pointer[i] + b.pointer[i], 0) }
        return y
    }
}
