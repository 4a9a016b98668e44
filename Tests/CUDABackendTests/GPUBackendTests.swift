@testable import CUDABackend
import CCUDALoader
import NN
import Tensors
import TestSupport
import Datasets
import Training
import XCTest

/// The CUDA backend's own promises, on a GPU (skipped, saying why, where none works): every
/// kernel loads on the device, host copies round-trip, and after warm-up the training step
/// takes no memory from the driver (the caching allocator serves it). The conformance suite
/// (UNET_TEST_BACKEND=cuda) checks the values of every op.
final class GPUBackendTests: XCTestCase {
    func gpu() throws -> CUDABackend {
        let inventory = CUDADeviceInventory.probe()
        if let problem = inventory.problem { throw XCTSkip("no usable GPU: \(problem)") }
        return try CUDABackend.open(ordinal: 0)
    }

    /// Every kernel compiles and loads (a failure stops the process naming it), each to a handle
    /// of its own, and a second request returns the cached handle.
    func testEveryKernelLoadsOnTheDevice() throws {
        let backend = try gpu()
        var handles: [String: CUfunction] = [:]
        for source in KernelSource.all {
            for kernel in source.kernels { handles[kernel] = backend.context.function(kernel, in: source) }
        }
        let total = KernelSource.all.reduce(0) { $0 + $1.kernels.count }
        XCTAssertEqual(handles.count, total, "kernel names are distinct")
        XCTAssertEqual(Set(handles.values.map { UInt(bitPattern: $0) }).count, total, "each kernel has its own function handle")
        for source in KernelSource.all {
            for kernel in source.kernels { XCTAssertEqual(backend.context.function(kernel, in: source), handles[kernel], kernel) }
        }
    }

    func testHostCopiesRoundTripAndLandOnTheDevice() throws {
        let backend = try gpu()
        var rng = SeededGenerator(seed: 7)
        let values = (0..<(1 << 22) + 3).map { _ in rng.nextGaussian() }
        let back: [Float] = Backends.with(backend) {
            let t = Tensor(shape: Shape(values.count), scalars: values)
            XCTAssertEqual(t.device, .cuda(0))
            return backend.copy(t).scalars
        }
        XCTAssertEqual(back, values)
    }

    func testTheStepLoopTakesNoMemoryFromTheDriverAfterWarmUp() throws {
        let backend = try gpu()
        var c = UNetConfiguration()
        c.depth = 2
        c.baseWidth = 8
        Backends.with(backend) {
            let bench = ModelBenchmark(configuration: c, inputSize: c.inputSize(forOutputAtLeast: 64), batch: 2, seed: 1)
            _ = bench.timeTraining(warmup: 2, steps: 1)
            let before = backend.driverAllocations
            _ = bench.timeTraining(warmup: 0, steps: 3)
            XCTAssertEqual(backend.driverAllocations, before, "cuMemAlloc calls in 3 training steps after warm-up")
            XCTAssertGreaterThan(backend.peakMemoryBytes, 0)
        }
    }

    /// `--precision` reaches cuDNN: bf16 convolutions read and write bfloat16 (every output is a
    /// bfloat16 value widened, unlike fp32's), except where a channel count is not a multiple of 8
    /// (fp32's result); tf32 stays within TF32's rounding of fp32 and differs from it
    /// wherever cuDNN chose a tensor-core algorithm; fp32 plans never use tensor-core math.
    func testEachPrecisionReachesTheConvolutions() throws {
        let backend = try gpu()
        var rng = SeededGenerator(seed: 5)
        let x = (0..<(2 * 16 * 12 * 12)).map { _ in rng.nextGaussian() }, w = (0..<(16 * 16 * 9)).map { _ in rng.nextGaussian() * 0.3 }
        let x1 = (0..<(2 * 12 * 12)).map { _ in rng.nextGaussian() }, w1 = (0..<(16 * 9)).map { _ in rng.nextGaussian() }
        let g = ConvGeometry(stride: 1, padding: 1)
        func run(_ p: Precision) throws -> (inner: [Float], first: [Float]) {
            try backend.setConvolutionPrecision(p)
            defer { try? backend.setConvolutionPrecision(.fp32) }
            return Backends.with(backend) {
                (backend.convolution(Tensor(shape: Shape(2, 16, 12, 12), scalars: x), weight: Tensor(shape: Shape(16, 16, 3, 3), scalars: w),
                                     bias: nil, geometry: g, transposed: false).scalars,
                 backend.convolution(Tensor(shape: Shape(2, 1, 12, 12), scalars: x1), weight: Tensor(shape: Shape(16, 1, 3, 3), scalars: w1),
                                     bias: nil, geometry: g, transposed: false).scalars)
            }
        }
        let fp32 = try run(.fp32), bf16 = try run(.bf16), tf32 = try run(.tf32)
        XCTAssertFalse(fp32.inner.allSatisfy { BFloat16.rounded($0) == $0 }, "fp32 outputs are not all bfloat16 values")
        XCTAssertTrue(bf16.inner.allSatisfy { BFloat16.rounded($0) == $0 }, "bf16 outputs are bfloat16 values")
        XCTAssertNotEqual(bf16.inner, fp32.inner)
        // A 1-channel convolution stays fp32 under bf16 (in NHWC there: another algorithm, so float32 rounding apart).
        let firstScale = fp32.first.map(abs).max()!
        XCTAssertLessThanOrEqual(zip(bf16.first, fp32.first).map { abs($0 - $1) }.max()! / firstScale, 1e-5, "1-channel convolution under bf16")
        XCTAssertFalse(bf16.first.allSatisfy { BFloat16.rounded($0) == $0 }, "the 1-channel convolution did not run in bf16")
        let scale = fp32.inner.map(abs).max()!
        XCTAssertLessThan(zip(tf32.inner, fp32.inner).map { abs($0 - $1) }.max()! / scale, 2e-3, "tf32 within TF32 rounding")
        let plans = backend.convolutionPlans.all
        XCTAssertTrue(plans.filter { $0.key.precision == .fp32 }.allSatisfy { $0.value.mathType == UNET_CUDNN_FMA_MATH }, "fp32 is strict")
        if plans.contains(where: { $0.key.precision == .tf32 && $0.key.w == [16, 16, 3, 3] && $0.value.mathType != UNET_CUDNN_FMA_MATH }) {
            XCTAssertNotEqual(tf32.inner, fp32.inner, "a tensor-core algorithm ran in TF32")
        }
    }

    /// The activation layout: NCHW under fp32, NHWC under tf32 and bf16 (`activationLayout`), and
    /// `layoutChoice` fixes it. In NHWC a U-Net's activations really are channels-last (the
    /// convolutions' outputs), relayout round-trips exactly, and forward and backward give the
    /// NCHW run's values (up to the algorithms' summation order).
    func testActivationsAreChannelsLastUnderTensorCorePrecisions() throws {
        let backend = try gpu()
        XCTAssertNil(backend.layoutChoice, "no UNET_CUDA_LAYOUT in the test's environment")
        defer { backend.layoutChoice = nil; try? backend.setConvolutionPrecision(.fp32) }
        XCTAssertEqual(backend.activationLayout, .plain)
        try backend.setConvolutionPrecision(.bf16)
        XCTAssertEqual(backend.activationLayout, .channelsLast)
        try backend.setConvolutionPrecision(.tf32)
        XCTAssertEqual(backend.activationLayout, .channelsLast)
        try backend.setConvolutionPrecision(.fp32)

        var rng = SeededGenerator(seed: 9)
        let values = (0..<(2 * 3 * 4 * 5)).map { _ in rng.nextGaussian() }
        Backends.with(backend) {
            let x = Tensor(shape: Shape(2, 3, 4, 5), scalars: values)
            let nhwc = backend.relayout(x, to: .channelsLast)
            XCTAssertEqual(nhwc.layout, .channelsLast)
            XCTAssertEqual(nhwc.scalars, values, "scalars reads NHWC back in NCHW order")
            XCTAssertEqual(backend.relayout(nhwc, to: .plain).scalars, values)
        }

        var c = UNetConfiguration()
        c.depth = 2
        c.baseWidth = 8
        c.block = .residual
        let n = c.inputSize(forOutputAtLeast: 8), out = c.outputSize(forInput: n)!
        let input = (0..<(2 * n * n)).map { _ in rng.nextGaussian() }
        let classes = (0..<(2 * out * out)).map { _ in Int32(rng.next() % 2) }
        func run(_ layout: Layout) -> (logits: Tensor, values: [[Float]]) {
            backend.layoutChoice = layout
            return Backends.with(backend) {
                let model = UNet(c, seed: 4)
                model.training = true
                let tape = Tape()
                var logits: Tensor!
                let loss = tape.record { () -> Tensor in
                    logits = model(Tensor(shape: Shape(2, 1, n, n), scalars: input))
                    return softmaxCrossEntropy(logits, targets: Tensor(shape: Shape(2, out, out), integers: classes))
                }
                tape.backward(from: loss)
                return (logits, [logits.scalars, loss.scalars] + model.parameters.map { $0.tensor.grad?.scalars ?? [] })
            }
        }
        let plain = run(.plain), channelsLast = run(.channelsLast)
        XCTAssertEqual(plain.logits.layout, .plain)
        XCTAssertEqual(channelsLast.logits.layout, .channelsLast, "the class head's output stayed NHWC")
        for (k, (a, b)) in zip(channelsLast.values, plain.values).enumerated() {
            let scale = max(1e-3, b.map(abs).max() ?? 0)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst / scale, 1e-4, "tensor \(k): NHWC vs NCHW")
        }
    }

    /// Where a training step waits for the GPU: the evidence for what a CUDA graph of the step
    /// could hold (docs/ARCHITECTURE.md, "CUDA graphs"). A step with softmax cross-entropy and
    /// Adam, after warm-up, waits four times, all at the loss: the targets' class counts
    /// (validation), the loss's per-block sums (value and weight sum), the trainer's read of the
    /// loss value, and the loss's pullback reading its upstream gradient (a one-element tensor);
    /// the network's forward and backward and the optimizer wait for nothing.
    func testATrainingStepWaitsForTheGPUOnlyInTheLoss() throws {
        let backend = try gpu()
        var c = UNetConfiguration()
        c.depth = 2
        c.baseWidth = 4
        let size = c.inputSize(forOutputAtLeast: 16), out = c.outputSize(forInput: size)!
        try Backends.with(backend) {
            let model = UNet(c, seed: 1)
            let optimizer = Adam()
            let x = Tensor(shape: Shape(1, 1, size, size), scalars: (0..<(size * size)).map { Float($0 % 7) / 7 })
            let targets = Tensor(shape: Shape(1, out, out), integers: (0..<(out * out)).map { Int32($0 % 2) })
            var waits: (forward: Int, loss: Int, read: Int, backward: Int, optimizer: Int) = (0, 0, 0, 0, 0)
            for _ in 0..<3 {
                let tape = Tape()
                let start = backend.hostSynchronizations
                var logits: Tensor!
                var afterForward = 0
                let loss = tape.record { () -> Tensor in
                    logits = model(x)
                    afterForward = backend.hostSynchronizations
                    return softmaxCrossEntropy(logits, targets: targets)
                }
                let afterLoss = backend.hostSynchronizations
                XCTAssertTrue(loss.scalar.isFinite)
                let afterRead = backend.hostSynchronizations
                tape.backward(from: loss)
                let afterBackward = backend.hostSynchronizations
                optimizer.step(model.parameters, learningRate: 1e-3)
                zeroGradients(model.parameters)
                waits = (afterForward - start, afterLoss - afterForward, afterRead - afterLoss, afterBackward - afterRead,
                         backend.hostSynchronizations - afterBackward)
            }
            XCTAssertEqual(waits.forward, 0, "the network's forward pass")
            XCTAssertEqual(waits.loss, 2, "the loss: class counts and the per-block sums")
            XCTAssertEqual(waits.read, 1, "the trainer's read of the loss value")
            XCTAssertEqual(waits.backward, 1, "backward: the loss's pullback reads dy")
            XCTAssertEqual(waits.optimizer, 0, "Adam and zeroing the gradients")
        }
    }

    /// The trainer's step with a fresh host batch each step (`Batch.tensors()`, as the data
    /// workers hand them over): the batch goes up through pinned staging buffers, which are
    /// allocated during warm-up and reused after, and arrives intact.
    func testBatchesGoUpThroughReusedPinnedBuffers() throws {
        let backend = try gpu()
        var c = UNetConfiguration()
        c.depth = 2
        c.baseWidth = 4
        let size = c.inputSize(forOutputAtLeast: 32), out = c.outputSize(forInput: size)!
        try Backends.with(backend) {
            let model = UNet(c, seed: 1)
            let optimizer = Adam()
            var rng = SeededGenerator(seed: 2)
            func step() throws {
                let inputs = (0..<(2 * size * size)).map { _ in rng.nextGaussian() }
                let batch = Batch(inputs: inputs, targets: (0..<(2 * out * out)).map { _ in Int32(rng.next() % 2) }, weights: nil,
                                  size: 2, channels: 1, inputSize: size, outputSize: out)
                let (x, targets, _) = batch.tensors()
                XCTAssertEqual(x.scalars, inputs, "the staged batch arrived intact")
                let tape = Tape()
                let loss = tape.record { softmaxCrossEntropy(model(x), targets: targets) }
                tape.backward(from: loss)
                optimizer.step(model.parameters, learningRate: 1e-3)
                zeroGradients(model.parameters)
                XCTAssertTrue(loss.scalar.isFinite)
            }
            for _ in 0..<2 { try step() }
            let pinned = backend.pinnedAllocations, device = backend.driverAllocations, uploads = backend.pinnedUploads
            XCTAssertGreaterThan(pinned, 0, "warm-up staged its batches through pinned memory")
            for _ in 0..<3 { try step() }
            XCTAssertEqual(backend.pinnedAllocations, pinned, "cuMemAllocHost calls in 3 steps after warm-up")
            XCTAssertEqual(backend.driverAllocations, device, "cuMemAlloc calls in 3 steps after warm-up")
            XCTAssertGreaterThanOrEqual(backend.pinnedUploads - uploads, 3, "each step's input went through a pinned buffer")
        }
    }
}

/// The allocator's size classes (no GPU needed).
final class DeviceAllocatorRoundingTests: XCTestCase {
    func testSizesRoundUpToClassesThatWasteAtMostAnEighth() {
        var previous = 0
        for bytes in [1, 511, 512, 513, 4096, 1 << 20, (1 << 20) + 1, 3 << 20, (5 << 20) + 12345, 1 << 30, (1 << 30) + 1] {
            let r = DeviceAllocator.rounded(bytes)
            XCTAssertGreaterThanOrEqual(r, bytes)
            XCTAssertGreaterThanOrEqual(r, previous, "monotone")
            previous = r
            if bytes <= 1 << 20 { XCTAssertEqual(r % 512, 0, "\(bytes)") } else { XCTAssertLessThanOrEqual(Double(r - bytes), Double(bytes) / 8, "\(bytes) → \(r)") }
        }
        XCTAssertEqual(DeviceAllocator.rounded(0), 512)
        XCTAssertEqual(DeviceAllocator.rounded(1 << 20), 1 << 20)
        XCTAssertEqual(DeviceAllocator.rounded((1 << 20) + 1), (1 << 20) + (1 << 17))
    }
}
