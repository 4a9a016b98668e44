import XCTest
import TestSupport
@testable import NN
import Tensors
import TestSupport

/// Replays PyTorch: Tools/make_unet_fixtures.py builds the same U-Net in float64 (parameter names
/// included), loads random weights and running statistics, and stores the training-mode logits,
/// the mean cross-entropy, every parameter gradient and the running statistics after the forward
/// (plus eval-mode logits) in Tests/Fixtures/unet/<case>.safetensors; see its README for the keys.
///
/// The replays run on the backend chosen by UNET_TEST_BACKEND (default `cpu`, the oneDNN
/// backend), and again on the reference backend: the conformance suite's oracle must replay PyTorch too.
final class UNetReplayTests: XCTestCase {
    override func setUp() {
        super.setUp()
        TestBackend.install()
        let saved = Backend.current
        Backend.use(Backends.underTest)
        addTeardownBlock { Backend.use(saved) }
    }

    func testPlainOnReferenceBackend() throws { try Backends.with(Backends.reference) { try replay("plain") } }
    func testResidualOnReferenceBackend() throws { try Backends.with(Backends.reference) { try replay("residual") } }
    func testPreActivationOnReferenceBackend() throws { try Backends.with(Backends.reference) { try replay("preact") } }
    func testBottleneckOnReferenceBackend() throws { try Backends.with(Backends.reference) { try replay("bottleneck") } }
    func testResidualWithoutBatchNormOnReferenceBackend() throws { try Backends.with(Backends.reference) { try replay("residual_nobn") } }
    func testPlainNearestUpsamplingOnReferenceBackend() throws { try Backends.with(Backends.reference) { try replay("plain_nearest") } }

    func testPlain() throws { try replay("plain") }
    func testResidual() throws { try replay("residual") }
    func testPreActivation() throws { try replay("preact") }
    func testBottleneck() throws { try replay("bottleneck") }
    func testResidualWithoutBatchNorm() throws { try replay("residual_nobn") }
    func testPlainNearestUpsampling() throws { try replay("plain_nearest") }

    private func replay(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try Fixture.unet(name)
        let model = UNet(try configuration(f), seed: 7)
        try load(model, from: f, prefix: "init.")
        let x = Tensor(shape: Shape(try f.shape("input")), scalars: try f.floats("input"))
        let targets = Tensor(shape: Shape(try f.shape("targets")), integers: try f.ints("targets"))

        if f.contains("eval_logits") {
            model.training = false
            let y = Tape.withoutRecording { model(x) }
            XCTAssertEqual(y.shape.dims, try f.shape("eval_logits"), "\(name) eval logits shape", file: file, line: line)
            assertClose(y.scalars, try f.floats("eval_logits"), atol: 1e-4, rtol: 1e-3, "\(name) eval logits", file: file, line: line)
        }

        model.training = true
        for (_, p) in model.parameters { p.grad = nil }
        let tape = Tape()
        var logits: Tensor!
        let loss = tape.record { () -> Tensor in
            logits = model(x)
            return softmaxCrossEntropy(logits, targets: targets)
        }
        tape.backward(from: loss)

        XCTAssertEqual(logits.shape.dims, try f.shape("logits"), "\(name) logits shape", file: file, line: line)
        assertClose(logits.scalars, try f.floats("logits"), atol: 1e-4, rtol: 1e-3, "\(name) logits", file: file, line: line)
        assertClose(loss.scalars, try f.floats("loss"), atol: 1e-6, rtol: 1e-4, "\(name) loss", file: file, line: line)
        var report: [String] = []
        let globalScale = try model.parameters.map { try f.floats("grad." + $0.name).map(abs).max() ?? 0 }.max() ?? 0
        for (pname, p) in model.parameters {
            guard let g = p.grad else { XCTFail("\(name): \(pname) got no gradient", file: file, line: line); continue }
            let expected = try f.floats("grad." + pname)
            // Relative 1e-3 per element, with an absolute floor: 1e-3 of the tensor's largest
            // gradient (float32 sums cancel to values near zero) plus 1e-5 of the model's largest.
            // The second term is for gradients that are zero in exact arithmetic and float32 noise
            // here: an up-convolution bias before a batch-normalised convolution (~1e-17 in the
            // float64 reference), and a 1×1 convolution from one channel into batch norm, which
            // only the ε of BN makes non-zero (encoder.0.skip.weight ~3e-6 for residual).
            let scale = expected.map(abs).max() ?? 0
            assertClose(g.scalars, expected, atol: 1e-3 * scale + 1e-5 * globalScale, rtol: 1e-3, "\(name) grad \(pname)",
                        file: file, line: line)
            report.append("\(pname) \(relativeError(g.scalars, expected))")
        }
        for (bname, b) in model.buffers {
            assertClose(b.scalars, try f.floats("running." + bname), atol: 1e-5, rtol: 1e-4, "\(name) \(bname) after forward",
                        file: file, line: line)
        }
        if ProcessInfo.processInfo.environment["UNET_REPLAY_REPORT"] != nil {
            print("\(name): loss \(loss.scalar) vs \(try f.floats("loss")[0]); logits \(relativeError(logits.scalars, try f.floats("logits")))")
            report.forEach { print("  " + $0) }
        }
    }
}

/// The configuration a fixture was made with (its metadata, JSON text per field).
func configuration(_ f: Fixture) throws -> UNetConfiguration {
    var c = UNetConfiguration()
    c.depth = try f.metaJSON("depth") as! Int
    c.baseWidth = try f.metaJSON("baseWidth") as! Int
    c.widthMultiplier = (try f.metaJSON("widthMultiplier") as! NSNumber).doubleValue
    c.inputChannels = try f.metaJSON("inputChannels") as! Int
    c.classes = try f.metaJSON("classes") as! Int
    c.batchNorm = try f.metaJSON("batchNorm") as! Bool
    c.block = BlockKind(rawValue: try f.metaJSON("block") as! String)!
    c.padding = PaddingMode(rawValue: try f.metaJSON("padding") as! String)!
    c.upsampling = Upsampling(rawValue: try f.metaJSON("upsampling") as! String)!
    return c
}

/// Loads `prefix + name` into every parameter and buffer; fails on a name missing on either side
/// or a shape mismatch (this pins the naming to PyTorch's `state_dict`).
func load(_ model: UNet, from f: Fixture, prefix: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let ours = Set(model.state.map(\.name))
    let theirs = Set(f.entries.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
    XCTAssertEqual(ours.count, model.state.count, "duplicate names in UNet.state", file: file, line: line)
    let missingHere = theirs.subtracting(ours).sorted(), missingThere = ours.subtracting(theirs).sorted()
    XCTAssert(missingHere.isEmpty, "PyTorch names absent from UNet.state: \(missingHere)", file: file, line: line)
    XCTAssert(missingThere.isEmpty, "UNet.state names absent from the fixture: \(missingThere)", file: file, line: line)
    for (name, t) in model.state where theirs.contains(name) {
        let shape = try f.shape(prefix + name)
        guard shape == t.shape.dims else {
            XCTFail("\(name): fixture shape \(shape), model shape \(t.shape)", file: file, line: line)
            continue
        }
        t.assign(try f.floats(prefix + name))
    }
}
