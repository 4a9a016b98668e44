/// The compute backend boundary. Layers and models call the tensor ops in `Ops/`, which call the
/// current backend; a CUDA backend can join by implementing this protocol, without touching layers.
///
/// All activations are NCHW. A backend decides memory layouts (`preferredLayout`) and accepts any
/// layout it produced as input. Methods allocate their results; `accumulate` works in place.
public protocol ComputeBackend: AnyObject {
    var name: String { get }

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

    /// Threads a host backend computes with (requirements, so that calls through the protocol
    /// reach the backend's own; the defaults below are for backends without a thread pool).
    func setThreadCount(_ n: Int)
    var threadCount: Int { get }
}

extension ComputeBackend {
    /// A backend without its own thread pool (the reference backend, a device backend) ignores it.
    public func setThreadCount(_ n: Int) {}
    public var threadCount: Int { 1 }
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
