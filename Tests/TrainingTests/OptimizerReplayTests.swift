import Foundation
import NN
import SafeTensors
import Tensors
import XCTest
import TestSupport
@testable import Training

/// Five SGD and five Adam steps of a small residual U-Net replay PyTorch's losses and final
/// weights (fixture `Tests/Fixtures/unet/residual.safetensors`, written by Tools/make_unet_fixtures.py
/// with torch.optim.SGD(lr=0.01, momentum=0.9) and torch.optim.Adam(lr=1e-3)).
final class OptimizerReplayTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/unet/residual.safetensors").standardized.path

    func makeModel(_ f: SafeTensorsFile) throws -> UNet {
        var c = UNetConfiguration()
        c.depth = 2; c.baseWidth = 4; c.classes = 3; c.inputChannels = 1; c.block = .residual
        XCTAssertEqual(f.metadata["baseWidth"], "4")
        XCTAssertEqual(f.metadata["block"], "\"residual\"")
        let model = UNet(c)
        for (name, t) in model.state { t.assign(try f.floats("init." + name)) }
        model.training = true
        return model
    }

    func replay(_ optimizer: Optimizer, lr: Float, losses key: String, final prefix: String, skipFinal: Set<String> = []) throws {
        let f = try SafeTensorsFile(contentsOf: Self.path)
        let model = try makeModel(f)
        let x = Tensor(shape: Shape(try f.shape(of: "input")), scalars: try f.floats("input"))
        let targets = Tensor(shape: Shape(try f.shape(of: "targets")), integers: try f.int64s("targets").map { Int32($0) })
        var losses: [Float] = []
        for _ in 0..<5 {
            let tape = Tape()
            let loss = tape.record { softmaxCrossEntropy(model(x), targets: targets) }
            losses.append(loss.scalar)
            tape.backward(from: loss)
            optimizer.step(model.parameters, learningRate: lr)
            zeroGradients(model.parameters)
        }
        let expected = try f.floats(key)
        for (a, e) in zip(losses, expected) { XCTAssertEqual(a, e, accuracy: 1e-5 * max(1, abs(e)), key) }
        for (name, t) in model.state where !skipFinal.contains(name) {
            let want = try f.floats(prefix + name)
            let got = t.scalars
            let scale = want.map(abs).max() ?? 1
            let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 2e-4 * max(scale, 1), "\(prefix)\(name)")
        }
    }

    func testSGDWithMomentumMatchesPyTorch() throws {
        try replay(SGD(momentum: 0.9), lr: 0.01, losses: "sgd_losses", final: "sgd_final.")
    }

    func testAdamMatchesPyTorch() throws {
        // Tensors whose true gradient is (almost) zero because batch norm follows them: the
        // up-convolution biases, and the level-0 skip projection of a 1-channel input. Adam
        // divides by the gradient's magnitude, so float32 noise there becomes real steps
        // (documented in Tests/Fixtures/unet/README.md) and the batch norms right after them
        // see slightly different inputs. The losses and every other tensor must still agree.
        let f = try SafeTensorsFile(contentsOf: Self.path)
        let noisy = Set(f.names.filter {
            ($0.hasPrefix("adam_final.decoder.") && ($0.hasSuffix("up.bias") || $0.contains("running_mean")))
                || $0.hasPrefix("adam_final.encoder.0.skip")
        }.map { String($0.dropFirst("adam_final.".count)) })
        try replay(Adam(), lr: 1e-3, losses: "adam_losses", final: "adam_final.", skipFinal: noisy)
    }
}
