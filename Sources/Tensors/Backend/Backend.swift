/// The compute backend boundary. Layers and models call the tensor ops in `Ops/`, which call the
/// current backend; a CUDA backend can join by implementing this protocol, without touching layers.
///
/// All activations are NCHW. A backend decides memory layouts (`preferredLayout`) and accepts any
/// layout it produced as input. Methods allocate their results; `accumulate` works in place.
public protocol ComputeBackend: AnyObject {
    var name: String { get }

    // Memory. Every tensor's storage is allocated by the backend (`Tensor.init` calls `allocate`)
    // and lives on its `device`. Host code reaches values only through the two copies, which
    // return after the data has arrived (a device backend synchronises its queue first). Host
    // backends adopt `HostBackend`, which implements all of this; a device backend must.

    /// Where this backend's tensors live.
    var device: Device { get }
    /// The device's memory (free now, peak live and reserved by the backend's allocator), for
    /// budgets and reports; nil for host memory (the tool uses the process's RSS there).
    var deviceMemory: DeviceMemory? { get }
    /// Memory for `byteCount` bytes on `device`, released when the `Storage` is freed.
    func allocate(byteCount: Int) -> Storage
    /// Copies `into.count` bytes from `storage` at `byteOffset` to host memory, after every
    /// queued op that writes `storage` has finished.
    func copyToHost(_ storage: Storage, byteOffset: Int, into: UnsafeMutableRawBufferPointer)
    /// Copies `bytes` from host memory into `storage` at `byteOffset`; `bytes` may be reused as
    /// soon as the call returns.
    func copyFromHost(_ bytes: UnsafeRawBufferPointer, into storage: Storage, byteOffset: Int)
    /// Waits until every queued op has finished (timing, and before reporting errors).
    func synchronize()
    /// x ← value everywhere (float32 tensors), in place.
    func fill(_ x: Tensor, with value: Float)
    /// A copy of x with its own storage, same shape, layout and dtype.
    func copy(_ x: Tensor) -> Tensor
    /// x's values as `dtype`, same layout: float32 → bfloat16 rounds to nearest even,
    /// bfloat16 → float32 is exact, int32 → float32 converts the integers.
    func convert(_ x: Tensor, to dtype: DType) -> Tensor

    /// The layout this backend stores an activation with `channels` channels in.
    func preferredLayout(channels: Int) -> Layout
    /// The same values in another layout.
    func relayout(_ x: Tensor, to layout: Layout) -> Tensor

    /// y = conv(x, w) + b. x: [N,Cin,H,W]; w: [Cout,Cin,kh,kw]; b: [Cout]; y: [N,Cout,H',W'].
    /// With `transposed`, w is [Cin,Cout,kh,kw] (PyTorch's ConvTranspose2d) and y is the transposed convolution.
    func convolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry: ConvGeometry, transposed: Bool) -> Tensor
    /// dx from dy for the convolution above.
    func convolutionBackwardData(_ dy: Tensor, weight w: Tensor, inputShape: Shape, inputLayout: Layout,
                                 geometry: ConvGeometry, transposed: Bool) -> Tensor
    /// dw (and db when `withBias`) from x and dy for the convolution above.
    func convolutionBackwardWeights(_ x: Tensor, _ dy: Tensor, weightShape: Shape, withBias: Bool,
                                    geometry: ConvGeometry, transposed: Bool) -> (Tensor, Tensor?)

    /// Bytes per input pixel that the backend's convolution holds besides input and output while
    /// it runs (e.g. Winograd's transformed maps), so that callers can plan tile sizes.
    func convolutionWorkspaceBytesPerPixel(weight w: Shape, geometry: ConvGeometry, transposed: Bool) -> Int

    /// Inference-only convolution with fused post-ops: y = relu?(conv(x, w) + b + residual?).
    /// No gradient is recorded; the result is in the preferred layout for its channels.
    func fusedConvolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry: ConvGeometry, residual: Tensor?, relu: Bool) -> Tensor

    /// Batch normalisation with batch statistics (then ReLU when `fusedReLU`): returns y, the batch mean and
    /// biased variance ([C] each), and a context for the backward pass.
    func batchNormTraining(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float, fusedReLU: Bool)
        -> (y: Tensor, mean: Tensor, variance: Tensor, context: AnyObject?)
    /// Batch normalisation with given statistics.
    func batchNormInference(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> Tensor
    /// The running statistics' update after a training step, in place (all [C], plain):
    /// mean ← (1 − momentum)·mean + momentum·batchMean,
    /// variance ← (1 − momentum)·variance + momentum·batchVariance·unbias.
    func updateRunningStatistics(mean: Tensor, variance: Tensor, batchMean: Tensor, batchVariance: Tensor,
                                 momentum: Float, unbias: Float)
    /// Gradients of batch normalisation. With `statisticsFixed` the statistics are constants (inference mode).
    func batchNormBackward(_ dy: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float,
                           statisticsFixed: Bool, fusedReLU: Bool, context: AnyObject?) -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor)

    /// 2-D pooling; the returned context is passed back to `poolBackward` (max pooling's argmax workspace).
    func pool(_ x: Tensor, kind: PoolKind, geometry: PoolGeometry, training: Bool) -> (y: Tensor, context: AnyObject?)
    func poolBackward(_ dy: Tensor, inputShape: Shape, inputLayout: Layout, kind: PoolKind, geometry: PoolGeometry, context: AnyObject?) -> Tensor

    func activation(_ x: Tensor, _ kind: Activation) -> Tensor
    /// dx given dy and the activation's output y (ReLU's gradient mask is y > 0).
    func activationBackward(_ dy: Tensor, y: Tensor, _ kind: Activation) -> Tensor
    /// relu(a + b) in one pass (the residual connection's sum and activation).
    func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor

    /// a + b (same shape; b is brought to a's layout).
    func add(_ a: Tensor, _ b: Tensor) -> Tensor
    /// a += b in place.
    func accumulate(into a: Tensor, _ b: Tensor)
    /// a += alpha * b in place, for plain tensors of equal shape (optimizers).
    func axpy(_ alpha: Float, _ b: Tensor, into a: Tensor)

    // Optimizers and the checks around them: one fused update per parameter tensor, in place.
    // All tensors are plain and of the parameter's shape; `gradient` may be in any layout the
    // backend produced.

    /// Adam/AdamW: updates `parameter`, `m` and `v` from `gradient` (see `AdamStep`).
    func adamUpdate(parameter: Tensor, gradient: Tensor, m: Tensor, v: Tensor, _ step: AdamStep)
    /// SGD with momentum: updates `parameter` and `buffer` from `gradient` (see `SGDStep`).
    func sgdUpdate(parameter: Tensor, gradient: Tensor, buffer: Tensor, _ step: SGDStep)
    /// Σ x² over all elements, accumulated in double precision (global-norm clipping).
    func sumOfSquares(_ x: Tensor) -> Double
    /// x ← factor · x in place.
    func scale(_ x: Tensor, by factor: Float)
    /// How many elements are NaN or infinite (divergence checks before saving a model).
    func countNonFinite(_ x: Tensor) -> Int

    // Softmax and the losses built on it. Targets are int32 tensors of class indices [N,H,W]
    // (plain), already checked to lie in 0..<C by the op; class weights are float32 [C], pixel
    // weights float32 [N,H,W]. Scalar results (loss values, sums) are returned on the host: one
    // synchronisation per loss evaluation, which the step needs anyway to log and check the loss.

    /// Softmax over channels of x [N,C,H,W] (max-subtracted, so large logits do not overflow).
    func softmax(_ x: Tensor) -> Tensor
    /// dx = y ⊙ (dy − Σ_c y_c·dy_c) per pixel, given the softmax output y.
    func softmaxBackward(_ dy: Tensor, y: Tensor) -> Tensor
    /// Weighted softmax cross-entropy. With w(x) = classWeights[t(x)]·pixelWeights[x] (1 where a
    /// weight tensor is nil): `loss` = Σ w·(−log p_t) / Σ w (0 when Σ w = 0), with log p_t taken
    /// from the logits directly; `weightSum` = Σ w; `probabilities` = softmax(logits).
    func softmaxCrossEntropy(_ logits: Tensor, targets: Tensor, classWeights: Tensor?, pixelWeights: Tensor?)
        -> (loss: Float, weightSum: Double, probabilities: Tensor)
    /// The logits' gradient of the loss above: dx_c = scale·w·(p_c − [c = t]) with w as above
    /// (scale is the upstream gradient over Σ w).
    func softmaxCrossEntropyBackward(probabilities: Tensor, targets: Tensor, classWeights: Tensor?, pixelWeights: Tensor?,
                                     scale: Float) -> Tensor
    /// Soft Dice's per-class sums over all pixels (C each, in Double), from p = softmax(logits):
    /// intersection_c = Σ p_c·[t = c], probabilitySum_c = Σ p_c, targetCount_c = Σ [t = c].
    func diceSums(probabilities: Tensor, targets: Tensor) -> (intersection: [Double], probabilitySum: [Double], targetCount: [Double])
    /// Soft Dice's logits gradient: dp_c = a_c·[t = c] + b_c per pixel, taken through the softmax,
    /// dx_c = p_c·(dp_c − Σ_k p_k·dp_k).
    func diceBackward(probabilities: Tensor, targets: Tensor, a: [Double], b: [Double]) -> Tensor
    /// Lovász-softmax (see `lovaszSoftmaxLoss`) from p = softmax(logits): for each class c with
    /// `present[c]`, the errors e_i = |[t_i = c] − p_ic| sorted decreasingly (ties by pixel index),
    /// ΔJ_k the Jaccard loss's steps along that order. Returns Σ_c Σ_k e_(k)·ΔJ_k (Double) and the
    /// slopes [C, N·H·W]: each pixel's ΔJ for class c (zeros for classes not present).
    func lovaszSoftmax(probabilities: Tensor, targets: Tensor, present: [Bool]) -> (sum: Double, slopes: Tensor)
    /// Its logits' gradient: dp_c = scale·slope_c·(−1 if t = c else +1) per pixel, through the softmax.
    func lovaszSoftmaxBackward(probabilities: Tensor, targets: Tensor, slopes: Tensor, scale: Float) -> Tensor
    /// How many elements of the int32 tensor `targets` hold each class 0..<classes, and, as a
    /// last entry, how many lie outside that range (classes + 1 counts, on the host).
    func classCounts(_ targets: Tensor, classes: Int) -> [Int]

    // Copies: channel concatenation, spatial windows, nearest up-sampling. Results are in a
    // layout of the backend's choice (the ops convert gradients back where they need to).

    /// xs ([N,Ci,H,W], equal N, H, W) concatenated along channels: [N,ΣCi,H,W].
    func concatChannels(_ xs: [Tensor]) -> Tensor
    /// The concatenation's backward: dy [N,ΣCi,H,W] cut into parts of `channels[i]` channels.
    func splitChannels(_ dy: Tensor, channels: [Int]) -> [Tensor]
    /// The `height`×`width` window of x [N,C,H,W] at row `top`, column `left`.
    func crop(_ x: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor
    /// The crop's backward: dy placed at (top, left) in zeros of `shape`.
    func cropBackward(_ dy: Tensor, shape: Shape, top: Int, left: Int) -> Tensor
    /// Nearest-neighbour up-sampling by 2: [N,C,H,W] → [N,C,2H,2W].
    func upsampleNearest2x(_ x: Tensor) -> Tensor
    /// Its backward: dy [N,C,2H,2W] summed over each 2×2 block → [N,C,H,W].
    func upsampleNearest2xBackward(_ dy: Tensor) -> Tensor

    /// a ⊙ b elementwise (same shape; b is brought to a's layout): dropout's mask and its backward.
    func multiply(_ a: Tensor, _ b: Tensor) -> Tensor
    /// Inverted dropout's mask for a tensor of `shape` in `layout`: the element at plain
    /// (row-major) index i is `DropoutMask.value(seed:index:probability:)`, 0 or 1/(1 − p), so
    /// every backend draws the same mask from the same seed.
    func dropoutMask(shape: Shape, layout: Layout, probability: Float, seed: UInt64) -> Tensor
    /// factor · x into a new tensor (loss weighting).
    func scaled(_ x: Tensor, by factor: Float) -> Tensor
    /// Mean over height and width: [N,C,H,W] → [N,C,1,1].
    func globalAveragePool(_ x: Tensor) -> Tensor
    /// Its backward: each dy[n,c] / (H·W) spread over the plane of `inputShape`.
    func globalAveragePoolBackward(_ dy: Tensor, inputShape: Shape) -> Tensor

    // Prediction and metrics. Class indices are int32 tensors [N,H,W].

    /// For each pixel of x [N,C,H,W], the channel with the largest value (the lowest such channel
    /// on ties; a NaN in channel 0 wins): int32 [N,H,W].
    func argmaxChannels(_ x: Tensor) -> Tensor
    /// Confusion counts: counts[truth[i]·classes + prediction[i]] += 1 for every pixel i
    /// (`counts` has classes² entries on the host; both tensors hold indices in 0..<classes).
    func accumulateConfusion(truth: Tensor, prediction: Tensor, classes: Int, into counts: inout [Int64])

    /// Batch normalisation folded into the convolution before it, for inference: per output
    /// channel o, s = γ_o/√(σ²_o + ε), w'_o = w_o·s, b'_o = (b_o − μ_o)·s + β_o (b = 0 when nil).
    /// `weight` is [Cout, …] (plain); all vectors are [Cout].
    func foldBatchNorm(weight: Tensor, bias: Tensor?, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor,
                       epsilon: Float) -> (weight: Tensor, bias: Tensor)

    /// Threads a host backend computes with (requirements, so that calls through the protocol
    /// reach the backend's own; the defaults below are for backends without a thread pool).
    func setThreadCount(_ n: Int)
    var threadCount: Int { get }

    /// The precision convolutions compute in (`Precision`; float32 unless chosen).
    var convolutionPrecision: Precision { get }
    /// Chooses it for the convolutions run from now on; throws `PrecisionUnavailable` (saying
    /// why) when this backend or this machine cannot compute in it.
    func setConvolutionPrecision(_ precision: Precision) throws
}

/// A device backend's memory, as `ComputeBackend.deviceMemory` reports it.
public struct DeviceMemory: Sendable, Equatable {
    /// Free on the device now (the driver's count), or nil when it cannot say.
    public var freeBytes: Int?
    /// The most bytes the backend's tensors held at once, and the most its allocator reserved.
    public var peakLiveBytes: Int
    public var peakReservedBytes: Int

    public init(freeBytes: Int?, peakLiveBytes: Int, peakReservedBytes: Int) {
        self.freeBytes = freeBytes
        self.peakLiveBytes = peakLiveBytes
        self.peakReservedBytes = peakReservedBytes
    }
}

extension ComputeBackend {
    /// Host memory has no device report.
    public var deviceMemory: DeviceMemory? { nil }

    /// A backend without its own thread pool (the reference backend, a device backend) ignores it.
    public func setThreadCount(_ n: Int) {}
    public var threadCount: Int { 1 }

    /// A backend without mixed precision computes in float32 and refuses anything else.
    public var convolutionPrecision: Precision { .fp32 }
    public func setConvolutionPrecision(_ precision: Precision) throws {
        guard precision == .fp32 else {
            throw PrecisionUnavailable("the \(name) backend has no \(precision) convolutions")
        }
    }
}

/// A backend whose tensors live in host memory (the CPU and reference backends). Adopting it
/// gives the host-memory implementations below; a device backend adopts `ComputeBackend` alone,
/// so that forgetting `allocate`, `fill`, `copy` or another of these is a compile error rather
/// than host code dereferencing device memory.
public protocol HostBackend: ComputeBackend {}

/// Host memory: the implementations of the memory methods for `HostBackend`s.
extension HostBackend {
    public var device: Device { .host }

    public func allocate(byteCount: Int) -> Storage { Storage.host(byteCount: byteCount) }

    public func copyToHost(_ storage: Storage, byteOffset: Int, into: UnsafeMutableRawBufferPointer) {
        precondition(storage.device == .host && byteOffset + into.count <= storage.byteCount, "[\(name)] copyToHost out of range")
        guard let base = into.baseAddress else { return }
        base.copyMemory(from: storage.address + byteOffset, byteCount: into.count)
    }

    public func copyFromHost(_ bytes: UnsafeRawBufferPointer, into storage: Storage, byteOffset: Int) {
        precondition(storage.device == .host && byteOffset + bytes.count <= storage.byteCount, "[\(name)] copyFromHost out of range")
        guard let base = bytes.baseAddress else { return }
        (storage.address + byteOffset).copyMemory(from: base, byteCount: bytes.count)
    }

    public func synchronize() {}

    public func fill(_ x: Tensor, with value: Float) {
        x.pointer.update(repeating: value, count: x.count)
    }

    public func copy(_ x: Tensor) -> Tensor {
        let y = Tensor(shape: x.shape, layout: x.layout, dtype: x.dtype)
        y.storage.address.copyMemory(from: x.storage.address, byteCount: x.count * x.dtype.byteSize)
        return y
    }

    /// The mask drawn in plain order, then laid out as asked (`DropoutMask` defines the values).
    public func dropoutMask(shape: Shape, layout: Layout, probability: Float, seed: UInt64) -> Tensor {
        let mask = Tensor(shape: shape)
        for i in 0..<mask.count { mask.pointer[i] = DropoutMask.value(seed: seed, index: i, probability: probability) }
        return relayout(mask, to: layout)
    }

    /// The exponential moving averages of the batch statistics, the variance made unbiased.
    public func updateRunningStatistics(mean: Tensor, variance: Tensor, batchMean: Tensor, batchVariance: Tensor,
                                        momentum: Float, unbias: Float) {
        for c in 0..<mean.count {
            mean.pointer[c] = (1 - momentum) * mean.pointer[c] + momentum * batchMean.pointer[c]
            variance.pointer[c] = (1 - momentum) * variance.pointer[c] + momentum * batchVariance.pointer[c] * unbias
        }
        mean.markModified()
        variance.markModified()
    }

    public func convert(_ x: Tensor, to dtype: DType) -> Tensor {
        let y = Tensor(shape: x.shape, layout: x.layout, dtype: dtype)
        let n = x.count
        switch (x.dtype, dtype) {
        case (let a, let b) where a == b:
            y.storage.address.copyMemory(from: x.storage.address, byteCount: n * a.byteSize)
        case (.float32, .bfloat16):
            let src = x.pointer, dst = y.hostAddress(as: UInt16.self)
            for i in 0..<n { dst[i] = BFloat16.bits(src[i]) }
        case (.bfloat16, .float32):
            let src = x.hostAddress(as: UInt16.self), dst = y.pointer
            for i in 0..<n { dst[i] = BFloat16.float(src[i]) }
        case (.int32, .float32):
            let src = x.hostAddress(as: Int32.self), dst = y.pointer
            for i in 0..<n { dst[i] = Float(src[i]) }
        default:
            preconditionFailure("[\(name)] no conversion from \(x.dtype) to \(dtype)")
        }
        return y
    }
}

/// The backend the ops use. The program chooses it once at start-up (`Backend.use`), before
/// any tensor is computed on: the core links no backend and has no default, so that which
/// backend runs is always the caller's decision (the tool's `--device`, a test's
/// `UNET_TEST_BACKEND`).
public enum Backend {
    nonisolated(unsafe) private static var selected: ComputeBackend?

    /// The backend in use; stops the program with an explanation when none was chosen.
    public static var current: ComputeBackend {
        guard let selected else {
            fatalError("no compute backend chosen: the program must call Backend.use(_:) at start-up (e.g. with CPUBackend.shared)")
        }
        return selected
    }

    /// Chooses the backend every op runs on from now on.
    public static func use(_ backend: ComputeBackend) { selected = backend }

    /// Whether a backend has been chosen.
    public static var isChosen: Bool { selected != nil }
}
