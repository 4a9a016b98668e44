import Foundation
import SafeTensors
import Tensors
import XCTest
import TestSupport
@testable import Training

/// SGD with weight decay and Nesterov momentum, Adam with L2 weight decay and AdamW with
/// decoupled decay against PyTorch's own `torch.optim` (fixture written by
/// Tools/make_optimizer_fixtures.py): 6 steps on fixed parameters, gradients and learning
/// rates, on the current backend. An oracle independent of this project's update loops.
final class OptimizerOracleTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/optimizers/optimizers.safetensors").standardized.path

    func replay(_ optimizer: Optimizer, case name: String, lrScale: Float, state: [String]) throws {
        let f = try SafeTensorsFile(contentsOf: Self.path)
        let names = ["p0", "p1"]
        let parameters = try names.map { ($0, Tensor(shape: Shape(try f.shape(of: $0)), scalars: try f.floats($0))) }
        let lrs = try f.floats("lr")
        for k in 0..<Int(f.metadata["steps"] ?? "0")! {
            for (n, p) in parameters { p.grad = Tensor(shape: p.shape, scalars: try f.floats("g\(k).\(n)")) }
            optimizer.step(parameters, learningRate: lrs[k] * lrScale)
        }
        let saved = Dictionary(uniqueKeysWithValues: optimizer.state.map { ($0.name, $0.tensor.scalars) })
        for (n, p) in parameters {
            assertSameTensor(p.scalars, try f.floats("\(name).final.\(n)"), "\(name) \(n)")
            for key in state { assertSameTensor(try XCTUnwrap(saved["\(n).\(key)"], "\(n).\(key)"), try f.floats("\(name).\(key).\(n)"), "\(name) \(key) \(n)") }
        }
    }

    /// Relative error per tensor (to the largest expected value), 2e-6: float rounding of six steps.
    func assertSameTensor(_ got: [Float], _ want: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, what, file: file, line: line)
        let scale = max(want.map(abs).max() ?? 0, 1e-30)
        let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst / scale, 2e-6, "\(what): worst \(worst) at scale \(scale)", file: file, line: line)
    }

    func testSGDWithNesterovMomentumAndWeightDecay() throws {
        try replay(SGD(momentum: 0.9, nesterov: true, weightDecay: 0.05), case: "sgd_nesterov_decay", lrScale: 1, state: ["momentum_buffer"])
    }

    func testSGDWithMomentumAndWeightDecay() throws {
        try replay(SGD(momentum: 0.99, weightDecay: 0.01), case: "sgd_momentum_decay", lrScale: 1, state: ["momentum_buffer"])
    }

    func testSGDWithoutMomentumWithWeightDecay() throws {
        try replay(SGD(momentum: 0, weightDecay: 0.1), case: "sgd_plain_decay", lrScale: 1, state: [])
    }

    func testAdamWithL2WeightDecay() throws {
        try replay(Adam(weightDecay: 0.05), case: "adam_l2_decay", lrScale: 0.1, state: ["exp_avg", "exp_avg_sq"])
    }

    func testAdamWWithDecoupledWeightDecay() throws {
        try replay(Adam(weightDecay: 0.05, decoupled: true), case: "adamw_decoupled_decay", lrScale: 0.1, state: ["exp_avg", "exp_avg_sq"])
    }

    /// The fixture's hyper-parameters are the ones replayed above.
    func testTheFixtureSaysWhatWasRun() throws {
        let f = try SafeTensorsFile(contentsOf: Self.path)
        let cases = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((f.metadata["cases"] ?? "").utf8)) as? [String: [String: Any]])
        XCTAssertEqual(cases["sgd_nesterov_decay"]?["nesterov"] as? Bool, true)
        XCTAssertEqual(cases["adamw_decoupled_decay"]?["kind"] as? String, "adamw")
        XCTAssertEqual(cases["adam_l2_decay"]?["weight_decay"] as? Double, 0.05)
    }
}
