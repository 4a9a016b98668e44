import NN
import Tensors
import XCTest
import TestSupport
@testable import CPUBackend
@testable import Training

/// No reference kernel in the hot path: a training step (forward, loss, backward, Adam) and a
/// folded inference pass of every block kind, checked from the CPU backend's own record of what
/// oneDNN executed. Before layouts followed the CPU, an AVX2 machine ran batch norm, pooling and
/// every fused inference convolution in oneDNN's reference loops (7× slower training than PyTorch,
/// 200× slower inference) and nothing noticed. `Tools/test` also runs this under
/// `ONEDNN_MAX_CPU_ISA=AVX2` on machines with AVX-512, so both families are covered on either.
final class HotPathKernelTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// The configurations of the hot path: every block kind at widths whose channels fill the
    /// CPU's blocks, transposed and nearest up-sampling, valid and same padding, 1 and 3 input
    /// channels, 2 and 5 classes, and a width (12) that fills no 8- or 16-channel block.
    var configurations: [UNetConfiguration] {
        var all: [UNetConfiguration] = []
        for kind in BlockKind.allCases {
            var c = UNetConfiguration()
            c.depth = 2; c.baseWidth = 16; c.block = kind
            all.append(c)
        }
        var rgb = UNetConfiguration()
        rgb.depth = 2; rgb.baseWidth = 16; rgb.inputChannels = 3; rgb.classes = 5
        rgb.upsampling = .nearest; rgb.padding = .same
        all.append(rgb)
        var odd = UNetConfiguration()
        odd.depth = 2; odd.baseWidth = 12; odd.block = .plain
        all.append(odd)
        return all
    }

    func testNoReferenceKernelInTrainingOrInference() throws {
        let backend = CPUBackend.shared
        guard Backend.current === backend else { throw XCTSkip("the CPU backend is not the one under test") }
        try XCTSkipIf(ProcessInfo.processInfo.environment["UNET_CPU_LAYOUT"] != nil,
                      "UNET_CPU_LAYOUT forces a layout that may not be this CPU's")
        for c in configurations {
            backend.clearImplementationRecord()
            let model = UNet(c, seed: 3)
            let optimizer = Adam()
            var rng = SeededGenerator(seed: 8)
            let size = c.nearestValidInput(to: 44)
            let out = c.outputSize(forInput: size)!
            let x = Tensor.randomNormal(Shape(2, c.inputChannels, size, size), using: &rng)
            let targets = Tensor(shape: Shape(2, out, out), integers: (0..<(2 * out * out)).map { _ in Int32(rng.next() % UInt64(c.classes)) })
            model.training = true
            for _ in 0..<2 {
                let tape = Tape()
                let loss = tape.record { softmaxCrossEntropy(model(x), targets: targets) }
                tape.backward(from: loss)
                optimizer.step(model.parameters, learningRate: 1e-3)
                zeroGradients(model.parameters)
            }
            model.training = false
            _ = Tape.withoutRecording { model(x) }
            let record = backend.implementationRecord
            let kinds = Set(record.executions.keys.map(\.kind))
            XCTAssertTrue(kinds.isSuperset(of: ["convolution", "batch_normalization", "pooling_v2"]) || !c.batchNorm,
                          "the step ran \(kinds.sorted())")
            let uses = record.executions.keys.sorted().map { "\($0.kind) \($0.implementation)" }
            XCTAssertEqual(record.referenceCount, 0,
                           "\(c.block) width \(c.baseWidth), \(backend.instructionSet.name), \(backend.activationLayout): "
                           + "reference kernels \(record.referenceExecutions.keys.sorted()); all: \(uses)")
        }
    }

    /// The layout follows the instruction set: 16-channel blocks with AVX-512, 8 with AVX2.
    func testActivationLayoutFollowsTheInstructionSet() throws {
        try XCTSkipIf(ProcessInfo.processInfo.environment["UNET_CPU_LAYOUT"] != nil, "UNET_CPU_LAYOUT forces the layout")
        let backend = CPUBackend.shared
        XCTAssertEqual(backend.activationLayout, backend.instructionSet.hasAVX512 ? .blocked16 : .blocked8,
                       "instruction set \(backend.instructionSet.name)")
        XCTAssertEqual(backend.preferredLayout(channels: 48), backend.activationLayout)
        XCTAssertEqual(backend.preferredLayout(channels: 12), .plain)
    }

    /// A reference kernel does not go unnoticed: a layout this CPU's kernels do not take (forced)
    /// shows up in the record, and fused inference convolutions avoid it by running unfused.
    func testTheRecordSeesAReferenceKernel() throws {
        let backend = CPUBackend.shared
        guard Backend.current === backend else { throw XCTSkip("the CPU backend is not the one under test") }
        let foreign: Layout = backend.activationLayout == .blocked8 ? .blocked16 : .blocked8
        let saved = backend.activationLayout
        backend.activationLayout = foreign
        defer { backend.activationLayout = saved }
        setenv("UNET_QUIET_REFERENCE_KERNELS", "1", 1)
        defer { unsetenv("UNET_QUIET_REFERENCE_KERNELS") }
        var rng = SeededGenerator(seed: 2)
        let x = Tensor.randomNormal(Shape(1, 16, 12, 12), using: &rng).inLayout(foreign)
        let w = Tensor.randomNormal(Shape(16, 16, 3, 3), std: 0.2, using: &rng)
        let residual = Tensor.randomNormal(Shape(1, 16, 10, 10), using: &rng)
        backend.clearImplementationRecord()
        let fused = conv2dFused(x, weight: w, bias: nil, residual: residual, relu: true)
        let expected = relu(conv2d(x, weight: w) + residual)
        let worst = zip(fused.scalars, expected.scalars).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-4, "fused with a foreign layout")
        XCTAssertEqual(backend.implementationRecord.executions.keys.filter { $0.kind == "convolution" && $0.isReference }, [],
                       "the fused convolution ran a reference kernel: \(backend.implementationRecord.executions)")
        // Batch norm in 16-channel blocks on a CPU without AVX-512: oneDNN has only its reference
        // loops there (the slowdown this test exists for), and the record counts them. (With
        // AVX-512, 8-channel blocks still find the AVX2 kernels: nothing to see.)
        guard !backend.instructionSet.hasAVX512 else { return }
        backend.activationLayout = .blocked16   // forced: batch norm then computes in it
        backend.clearImplementationRecord()
        let g = Tensor.filled(1, shape: Shape(16)), b = Tensor.zeros(Shape(16))
        _ = backend.batchNormTraining(x.inLayout(.blocked16), gamma: g, beta: b, epsilon: 1e-5, fusedReLU: false)
        let bn = backend.implementationRecord.executions.keys.filter { $0.kind == "batch_normalization" }
        XCTAssertEqual(bn.map(\.isReference), [true], "\(bn)")
        XCTAssertEqual(backend.implementationRecord.referenceCount, 1)
    }

    /// A tensor that arrives in the blocked layout of the other width (made under a forced layout,
    /// or by a process on another CPU) is brought to this CPU's layout for batch norm and pooling
    /// instead of running their reference loops; the values are the same.
    func testForeignBlockedTensorsAvoidReferenceBatchNormAndPooling() throws {
        let backend = CPUBackend.shared
        guard Backend.current === backend else { throw XCTSkip("the CPU backend is not the one under test") }
        try XCTSkipIf(ProcessInfo.processInfo.environment["UNET_CPU_LAYOUT"] != nil, "UNET_CPU_LAYOUT forces the layout")
        let foreign: Layout = backend.activationLayout == .blocked8 ? .blocked16 : .blocked8
        var rng = SeededGenerator(seed: 5)
        let plain = Tensor.randomNormal(Shape(2, 32, 10, 10), using: &rng)
        let g = Tensor.randomNormal(Shape(32), using: &rng), b = Tensor.randomNormal(Shape(32), using: &rng)
        func run(_ x: Tensor) -> [[Float]] {
            let (y, mean, variance, context) = backend.batchNormTraining(x, gamma: g, beta: b, epsilon: 1e-5, fusedReLU: true)
            let back = backend.batchNormBackward(y, x: x, gamma: g, beta: b, mean: mean, variance: variance, epsilon: 1e-5,
                                                 statisticsFixed: false, fusedReLU: true, context: context)
            let (pooled, poolContext) = backend.pool(y, kind: .max, geometry: PoolGeometry(kernel: 2, stride: 2), training: true)
            let dx = backend.poolBackward(pooled, inputShape: y.shape, inputLayout: y.layout, kind: .max,
                                          geometry: PoolGeometry(kernel: 2, stride: 2), context: poolContext)
            return [y.scalars, mean.scalars, variance.scalars, back.dx.scalars, back.dgamma.scalars, pooled.scalars, dx.scalars]
        }
        let natural = run(plain.inLayout(backend.activationLayout))
        backend.clearImplementationRecord()
        let converted = run(plain.inLayout(foreign))
        XCTAssertEqual(backend.implementationRecord.referenceCount, 0, "\(backend.implementationRecord.referenceExecutions)")
        for (a, e) in zip(converted, natural) { XCTAssertEqual(a, e) }
    }
}
