import Tensors
import CDNNL
import CDNNLShim

/// The CPU backend: oneDNN primitives for convolution, transposed convolution, batch norm,
/// pooling, activations and sums; activations whose channels fill whole blocks are kept in the
/// blocked layout oneDNN wants on this CPU (`nChw16c` with AVX-512, `nChw8c` with AVX2) from
/// layer to layer, converted only at the edges.
public final class CPUBackend: HostBackend {
    nonisolated(unsafe) public static let shared = CPUBackend()

    let dnnl = DNNLContext()
    /// Weights re-laid-out for a primitive, keyed by primitive; refreshed when the weight's version changes.
    var weightCache: [String: CachedWeights] = [:]

    public var name: String { "cpu-onednn" }

    /// The layout of activations whose channels fill its blocks (`ActivationLayoutChoice`); others
    /// stay plain. Changing it affects tensors made afterwards (layouts are part of every cache key).
    public var activationLayout: Layout

    /// Whether oneDNN has Winograd convolutions on this CPU and layout (AVX-512 only in oneDNN 2.6);
    /// where it has none, Winograd requests compute directly.
    public var winogradAvailable: Bool {
        if let known = winogradProbe, known.layout == activationLayout { return known.available }
        let available = ConvolutionAlgorithm.oneDNNHasWinograd(dnnl.engine, layout: activationLayout)
        winogradProbe = (activationLayout, available)
        return available
    }
    private var winogradProbe: (layout: Layout, available: Bool)?

    /// The layout batch norm and pooling compute in for a tensor stored in `layout`: itself, except a
    /// blocked layout of the other width (one this CPU's kernels were not chosen for), which becomes
    /// this CPU's. oneDNN has only reference loops for batch norm and pooling on 16-channel blocks
    /// with AVX2 (measured: 56 of 77 s of two training steps); such tensors arrive when a layout is
    /// forced or a tensor comes from a process with another CPU's choice.
    func workingLayout(_ layout: Layout, channels: Int) -> Layout {
        guard layout.channelBlock != nil, layout != activationLayout else { return layout }
        return preferredLayout(channels: channels)
    }

    /// The instruction set oneDNN runs on (the CPU's, capped by `ONEDNN_MAX_CPU_ISA`).
    public var instructionSet: CPUInstructionSet { .effective }

    /// What oneDNN ran since the last `clearImplementationRecord()`, by primitive kind and implementation.
    public var implementationRecord: ImplementationRecord { dnnl.record }
    public func clearImplementationRecord() { dnnl.record = ImplementationRecord() }

    init() {
        activationLayout = ActivationLayoutChoice.decide(dnnl.engine)
    }

    /// OpenMP threads of oneDNN's primitives.
    public func setThreadCount(_ n: Int) { unet_set_num_threads(Int32(n)) }
    public var threadCount: Int { Int(unet_max_threads()) }

    /// Direct or Winograd 3×3 convolutions (see `ConvolutionAlgorithm`); a change applies to
    /// primitives created afterwards (the choice is part of each primitive's cache key).
    public var convolutionAlgorithm = ConvolutionAlgorithm.fromEnvironment

    /// float32, or bfloat16 convolutions where they are faster (`kernelCandidates`, `runTimed`);
    /// the kernel is part of each convolution primitive's cache key.
    public private(set) var convolutionPrecision = Precision.fp32

    /// The kernel timed fastest for each convolution pass and shape, in this process (bf16 with the
    /// automatic algorithm; see `runTimed`).
    public internal(set) var timedChoices: [String: ConvolutionKernel] = [:]

    /// Forgets the timed choices (benchmarks that time the choice itself).
    public func forgetTimedChoices() { timedChoices = [:] }

    /// Refuses bf16 on a CPU without native bfloat16 instructions (`BF16Instructions`), and tf32
    /// everywhere (a GPU tensor-core format).
    public func setConvolutionPrecision(_ precision: Precision) throws {
        if precision == .tf32 {
            throw PrecisionUnavailable("the CPU has no TF32 arithmetic (TensorFloat-32 is a format of NVIDIA GPUs' tensor cores; use it with --device cuda)")
        }
        if precision == .bf16, let problem = BF16Instructions.detected.problem { throw PrecisionUnavailable(problem) }
        convolutionPrecision = precision
    }

    /// Per fused-convolution shape: whether oneDNN has only a reference kernel for the fusion.
    var referenceFusions: [String: Bool] = [:]

    /// The last activation converted to bfloat16 for a convolution pass, so that the backward-weights
    /// pass reuses the output gradient that backward-data converted just before.
    var lastConversion: ConvertedActivation?

    public func preferredLayout(channels: Int) -> Layout {
        guard let block = activationLayout.channelBlock, channels % block == 0 else { return .plain }
        return activationLayout
    }

    /// Number of primitives created so far (each is reused for every later call of the same shape).
    public var cachedPrimitiveCount: Int { dnnl.cachedPrimitiveCount }

    public func relayout(_ x: Tensor, to layout: Layout) -> Tensor {
        if x.layout == layout { return x }
        let y = Tensor(shape: x.shape, layout: layout)
        reorder(memoryDesc(x), raw(x), memoryDesc(y), raw(y), key: "reorder|\(x.shape)|\(x.layout)>\(layout)")
        return y
    }

    func reorder(_ srcMD: dnnl_memory_desc_t, _ src: UnsafeMutableRawPointer, _ dstMD: dnnl_memory_desc_t,
                 _ dst: UnsafeMutableRawPointer, key: String) {
        let p = dnnl.primitive(key) {
            var pd: dnnl_primitive_desc_t?
            var s = srcMD, d = dstMD
            check(unet_reorder_pd(&pd, dnnl.engine, &s, &d), key)
            return pd!
        }
        dnnl.execute(p, [(DNNL_ARG_FROM, srcMD, src), (DNNL_ARG_TO, dstMD, dst)])
    }

    public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "[add] \(a.shape) vs \(b.shape)")
        let b = b.inLayout(a.layout)
        let y = Tensor(shape: a.shape, layout: a.layout)
        binaryAdd(a, b, into: y)
        return y
    }

    public func accumulate(into a: Tensor, _ b: Tensor) {
        precondition(a.shape == b.shape, "[accumulate] \(a.shape) vs \(b.shape)")
        binaryAdd(a, b.inLayout(a.layout), into: a)
        a.markModified()
    }

    private func binaryAdd(_ a: Tensor, _ b: Tensor, into y: Tensor) {
        // Flattened to 1-D: layouts agree, so elementwise addition is layout-blind.
        let md = memoryDesc([a.count], dnnl_a)
        let p = dnnl.primitive("add|\(a.count)") {
            var pd: dnnl_primitive_desc_t?
            var m0 = md, m1 = md, m2 = md
            check(unet_binary_pd(&pd, dnnl.engine, dnnl_binary_add, &m0, &m1, &m2), "add")
            return pd!
        }
        dnnl.execute(p, [(DNNL_ARG_SRC_0, md, raw(a)), (DNNL_ARG_SRC_1, md, raw(b)), (DNNL_ARG_DST, md, raw(y))])
    }

    public func axpy(_ alpha: Float, _ b: Tensor, into a: Tensor) {
        precondition(a.shape == b.shape && a.layout == b.layout, "[axpy] \(a) vs \(b)")
        let pa = a.pointer, pb = b.pointer
        for i in 0..<a.count { pa[i] += alpha * pb[i] }
        a.markModified()
    }
}

/// A weight re-laid-out for a primitive. The source is held weakly and compared by identity: a
/// freed weight's address can be reused by a new tensor (folded inference weights are created
/// afresh), which must not hit the old entry.
final class CachedWeights {
    weak var tensor: Tensor?
    let version: Int
    let buffer: Storage

    init(tensor: Tensor, version: Int, buffer: Storage) {
        self.tensor = tensor
        self.version = version
        self.buffer = buffer
    }

    func matches(_ w: Tensor) -> Bool { tensor === w && version == w.version }
}

/// An activation converted for a primitive (bfloat16, its layout): valid while the source tensor is
/// alive and unchanged.
final class ConvertedActivation {
    weak var tensor: Tensor?
    let version: Int
    let md: dnnl_memory_desc_t
    let buffer: Storage

    init(tensor: Tensor, md: dnnl_memory_desc_t, buffer: Storage) {
        self.tensor = tensor
        self.version = tensor.version
        self.md = md
        self.buffer = buffer
    }

    func matches(_ t: Tensor, _ wanted: dnnl_memory_desc_t) -> Bool {
        var mine = md, other = wanted
        return tensor === t && version == t.version && unet_md_equal(&mine, &other) != 0
    }
}
