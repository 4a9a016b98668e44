@testable import CUDABackend
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

    func testEveryKernelLoadsOnTheDevice() throws {
        let backend = try gpu()
        for source in KernelSource.all {
            for kernel in source.kernels { _ = backend.context.function(kernel, in: source) }
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
