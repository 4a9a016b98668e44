import Foundation
import XCTest
@testable import SafeTensors

/// Sanity check of the PyTorch op fixtures in Tests/Fixtures/ops (written by
/// `Tools/make_op_fixtures.py`): each case parseable, written in the canonical form, with consistent
/// names, dtypes and shapes. The values themselves are checked by the op tests.
final class OpFixtureSetTests: XCTestCase {
    let directory = repositoryRoot + "/Tests/Fixtures/ops"
    /// Case name → `op` in its metadata.
    static let expectedCases: [(name: String, op: String)] = [
        (name: "conv2d_k3_valid", op: "conv2d"),
        (name: "conv2d_k3_same", op: "conv2d"),
        (name: "conv2d_k1", op: "conv2d"),
        (name: "conv2d_cin1", op: "conv2d"),
        (name: "conv2d_stride2", op: "conv2d"),
        (name: "conv2d_wide", op: "conv2d"),
        (name: "deconv_k2s2", op: "conv_transpose2d"),
        (name: "deconv_k2s2_wide", op: "conv_transpose2d"),
        (name: "deconv_k3s1p1", op: "conv_transpose2d"),
        (name: "deconv_k3s2", op: "conv_transpose2d"),
        (name: "bn_train", op: "batch_norm"),
        (name: "bn_train_wide", op: "batch_norm"),
        (name: "bn_eval", op: "batch_norm"),
        (name: "relu", op: "relu"),
        (name: "leaky_relu", op: "leaky_relu"),
        (name: "maxpool_even", op: "max_pool2d"),
        (name: "maxpool_odd_ceil", op: "max_pool2d"),
        (name: "maxpool_odd_floor", op: "max_pool2d"),
        (name: "avgpool_ceil", op: "avg_pool2d"),
        (name: "avgpool_even", op: "avg_pool2d"),
        (name: "softmax", op: "softmax"),
        (name: "ce_plain", op: "cross_entropy"),
        (name: "ce_class_weights", op: "cross_entropy"),
        (name: "ce_pixel_weights", op: "cross_entropy"),
        (name: "ce_both", op: "cross_entropy"),
        (name: "dice", op: "dice"),
        (name: "lovasz", op: "lovasz"),
        (name: "lovasz_absent_class", op: "lovasz"),
        (name: "global_avg_pool", op: "global_avg_pool"),
        (name: "add", op: "add"),
        (name: "concat", op: "concat"),
        (name: "center_crop", op: "center_crop"),
        (name: "upsample_nearest", op: "upsample_nearest"),
    ]

    // That every committed case is replayed against PyTorch is PyTorchParityTests'
    // testEveryCommittedFixtureIsReplayed; here, what the files hold and how they are written.

    func testFixturesAreConsistent() throws {
        for (name, expectedOp) in Self.expectedCases {
            let path = directory + "/\(name).safetensors"
            let file = try SafeTensorsFile(contentsOf: path)
            let op = try XCTUnwrap(file.metadata["op"], "\(name): no op in metadata")
            XCTAssertEqual(op, expectedOp, name)
            XCTAssertEqual(file.metadata["generator"], "Tools/make_op_fixtures.py", name)

            // The Python writer and ours agree byte for byte on the canonical form.
            XCTAssertEqual(try file.serialized(), try FileIO.readAll(path: path), "\(name): not canonical")

            for tensorName in file.names {
                try file.checkDType(tensorName, tensorName == "target" ? .i64 : .f32)
                // Every gradient `dv` has the shape of `v` (dx~x, dw~w, dy~y, dgamma~gamma, ...).
                if tensorName.hasPrefix("d"), file.tensors[String(tensorName.dropFirst())] != nil {
                    XCTAssertEqual(try file.shape(of: tensorName), try file.shape(of: String(tensorName.dropFirst())),
                                   "\(name): \(tensorName)")
                }
            }
            try checkOp(op, file, name)
        }
    }

    private func checkOp(_ op: String, _ file: SafeTensorsFile, _ name: String) throws {
        func param(_ key: String) throws -> Int {
            try XCTUnwrap(file.metadata[key].flatMap { Int($0) }, "\(name): metadata \(key)")
        }
        func flag(_ key: String) throws -> Bool {
            let value = try XCTUnwrap(file.metadata[key], "\(name): metadata \(key)")
            XCTAssertTrue(value == "0" || value == "1", "\(name): \(key) = \(value)")
            return value == "1"
        }
        func present(_ names: [String], _ expected: Bool) {
            for n in names { XCTAssertEqual(file.tensors[n] != nil, expected, "\(name): tensor \(n)") }
        }

        switch op {
        case "add", "concat":
            present(["a", "b", "dy", "y", "da", "db"], true)
            XCTAssertEqual(file.tensors.count, 6)
            return
        case "cross_entropy", "dice", "lovasz":
            present(["x", "target", "loss", "dx"], true)
            let x = try file.shape(of: "x")
            try file.checkShape("loss", [1])
            try file.checkShape("target", [x[0], x[2], x[3]])
            XCTAssertTrue(try file.int64s("target").allSatisfy { $0 >= 0 && $0 < Int64(x[1]) }, name)
            if op == "cross_entropy" {
                let hasClass = try flag("has_class_weights"), hasPixel = try flag("has_pixel_weights")
                present(["class_weights"], hasClass)
                present(["pixel_weights"], hasPixel)
                if hasClass { try file.checkShape("class_weights", [x[1]]) }
                if hasPixel {
                    try file.checkShape("pixel_weights", [x[0], x[2], x[3]])
                    XCTAssertTrue(try file.floats("pixel_weights").allSatisfy { $0 > 0 }, name)
                }
            } else if op == "dice" {
                XCTAssertEqual(file.metadata["eps"], "1")
            } else {
                XCTAssertEqual(file.tensors.count, 4, "\(name): lovasz takes no weights")
            }
            return
        default:
            present(["x", "dy", "y", "dx"], true)
        }

        let x = try file.shape(of: "x"), y = try file.shape(of: "y")
        XCTAssertEqual(x.count, 4, "\(name): x is NCHW")
        switch op {
        case "conv2d", "conv_transpose2d":
            let w = try file.shape(of: "w")
            let stride = try param("stride"), padding = try param("padding")
            present(["b", "db"], try flag("has_bias"))
            let (k, cin, cout) = op == "conv2d" ? (w[2], w[1], w[0]) : (w[2], w[0], w[1])
            XCTAssertEqual(x[1], cin, "\(name): input channels")
            func outSize(_ s: Int) -> Int {
                op == "conv2d" ? (s + 2 * padding - k) / stride + 1 : (s - 1) * stride - 2 * padding + k
            }
            XCTAssertEqual(y, [x[0], cout, outSize(x[2]), outSize(x[3])], name)
            if file.tensors["b"] != nil { try file.checkShape("b", [cout]) }
        case "batch_norm":
            let c = x[1]
            for n in ["gamma", "beta", "running_mean_in", "running_var_in", "dgamma", "dbeta"] {
                try file.checkShape(n, [c])
            }
            present(["running_mean_out", "running_var_out"], try flag("training"))
            XCTAssertEqual(y, x, name)
            XCTAssertTrue(try file.floats("running_var_in").allSatisfy { $0 > 0 }, name)
        case "max_pool2d", "avg_pool2d":
            XCTAssertEqual(try param("kernel"), 2)
            XCTAssertEqual(try param("stride"), 2)
            let ceil = try flag("ceil_mode")
            func outSize(_ s: Int) -> Int { ceil ? (s - 2 + 1) / 2 + 1 : (s - 2) / 2 + 1 }
            XCTAssertEqual(y, [x[0], x[1], outSize(x[2]), outSize(x[3])], name)
            if op == "max_pool2d" {
                let values = try file.floats("x")
                XCTAssertEqual(Set(values).count, values.count, "\(name): max-pool input has ties")
            }
        case "relu", "leaky_relu", "softmax":
            XCTAssertEqual(y, x, name)
            if op != "softmax" {
                XCTAssertTrue(try file.floats("x").allSatisfy { abs($0) > 1e-3 }, "\(name): x too close to the kink")
            }
            if op == "leaky_relu" { XCTAssertEqual(file.metadata["slope"], "0.1") }
        case "global_avg_pool":
            XCTAssertEqual(y, [x[0], x[1], 1, 1], name)
        case "center_crop":
            XCTAssertEqual(y, [x[0], x[1], try param("height"), try param("width")], name)
        case "upsample_nearest":
            XCTAssertEqual(y, [x[0], x[1], 2 * x[2], 2 * x[3]], name)
        default:
            XCTFail("\(name): unknown op \(op)")
        }
    }
}
