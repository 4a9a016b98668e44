import Foundation

/// Tests/Fixtures/export/, written by Tools/make_export_fixtures.py: tiny trained models, their
/// ONNX exports and onnxruntime's outputs for `input.npy`.
enum ExportFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/export").path
    static let models = ["residual-transposed", "preact-nearest"]

    static func path(_ name: String) -> String { folder + "/" + name }
    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path(name)))) }
}
