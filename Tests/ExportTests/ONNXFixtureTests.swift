import XCTest
import TestSupport
import Export
import NN
import Tensors
import Training

/// The committed ONNX exports, read back with the protobuf reader: the structure onnxruntime
/// relies on, exporting again gives the same bytes, and this tool's logits match the outputs
/// onnxruntime computed from the file.
final class ONNXFixtureTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// ModelProto / GraphProto, decoded into what the tests look at.
    struct Summary {
        var irVersion = 0, opsets: [(String, Int)] = [], metadata: [String: String] = [:]
        var ops: [String] = [], inputs: [(String, [String])] = [], outputs: [(String, [String])] = []
        var initializers: [String: [Int]] = [:]

        init(_ bytes: [UInt8]) throws {
            for f in try ProtobufReader.fields(of: bytes) {
                switch f.number {
                case 1: irVersion = f.int
                case 7:
                    for g in try f.message() {
                        switch g.number {
                        case 1: ops.append(try g.message().first { $0.number == 4 }!.string)
                        case 5:
                            let t = try g.message()
                            initializers[t.first { $0.number == 8 }!.string] = try t.filter { $0.number == 1 }.flatMap { try $0.packedInts() }
                        case 11, 12:
                            let v = try g.message()
                            let dims = try v.first { $0.number == 2 }!.message()[0].message().first { $0.number == 2 }!.message().map { dim in
                                let d = try dim.message()[0]
                                return d.number == 1 ? String(d.int) : d.string
                            }
                            let entry = (v.first { $0.number == 1 }!.string, dims)
                            if g.number == 11 { inputs.append(entry) } else { outputs.append(entry) }
                        default: break
                        }
                    }
                case 8:
                    let m = try f.message()
                    opsets.append((m.first { $0.number == 1 }?.string ?? "", m.first { $0.number == 2 }!.int))
                case 14:
                    let m = try f.message()
                    metadata[m.first { $0.number == 1 }!.string] = m.first { $0.number == 2 }!.string
                default: break
                }
            }
        }
    }

    /// What the exporter writes now for a committed checkpoint (not the committed file: the
    /// structure below must hold for the exporter's output, whatever is committed).
    func exported(_ name: String) throws -> [UInt8] {
        try ONNXExport.model(from: try Checkpoint.read(from: ExportFixtures.path("\(name).safetensors")), output: .logits).serialized()
    }

    func testStructureOfTheExports() throws {
        for name in ExportFixtures.models {
            let s = try Summary(exported(name))
            XCTAssertEqual(s.irVersion, 8)
            XCTAssertEqual(s.opsets.map(\.0), [""])
            XCTAssertEqual(s.opsets.map(\.1), [17])
            XCTAssertEqual(s.inputs.map(\.0), ["input"])
            XCTAssertEqual(s.inputs.first?.1, ["N", "1", "H", "W"])
            XCTAssertEqual(s.outputs.map(\.0), ["logits"])
            XCTAssertEqual(s.outputs.first?.1, ["N", "2", "H_out", "W_out"])
            XCTAssertEqual(Set(s.metadata.keys), ["unet.format", "unet.output", "unet.class_names", "unet.palette", "unet.normalization",
                                                  "unet.input_size", "unet.configuration"])
            XCTAssertEqual(s.metadata["unet.output"], "logits")
            XCTAssertEqual(s.metadata["unet.class_names"], #"["class 0","class 1"]"#)
            let size = try JSONSerialization.jsonObject(with: Data(s.metadata["unet.input_size"]!.utf8)) as! [String: Any]
            XCTAssertEqual(size["minimum"] as? Int, 44)
            XCTAssertEqual(size["step"] as? Int, 4)
            XCTAssertEqual(size["border"] as? Int, 20)
            // No batch norm operator where every batch norm follows a convolution.
            XCTAssertEqual(s.ops.filter { $0 == "BatchNormalization" }.count, name.hasPrefix("preact") ? 5 : 0, name)
            XCTAssertEqual(s.ops.filter { $0 == "MaxPool" }.count, 2)
            XCTAssertEqual(s.ops.filter { $0 == "Concat" }.count, 2)
            XCTAssertEqual(s.initializers["encoder.0.conv1.weight"], [4, 1, 3, 3], name)
            XCTAssertEqual(s.initializers["head.weight"], [2, 4, 1, 1], name)
            XCTAssertEqual(s.initializers["crop_starts"], [2], name)
        }
        let residual = try Summary(exported("residual-transposed"))
        XCTAssertEqual(residual.ops.filter { $0 == "ConvTranspose" }.count, 2)
        XCTAssertEqual(residual.initializers["decoder.1.up.weight"], [16, 8, 2, 2])
        // 5 blocks × (2 convolutions + a projection: every block changes the width) + the head.
        XCTAssertEqual(residual.ops.filter { $0 == "Conv" }.count, 5 * 3 + 1)
        let preact = try Summary(exported("preact-nearest"))
        XCTAssertEqual(preact.ops.filter { $0 == "Resize" }.count, 2)
        XCTAssertEqual(preact.initializers["decoder.1.up.weight"], [8, 16, 1, 1])
    }

    func testExportingTheCommittedCheckpointsGivesTheSameBytes() throws {
        for name in ExportFixtures.models {
            let checkpoint = try Checkpoint.read(from: ExportFixtures.path("\(name).safetensors"))
            let bytes = try ONNXExport.model(from: checkpoint, output: .logits).serialized()
            XCTAssertEqual(bytes, try ExportFixtures.bytes("\(name).onnx"), name)
        }
    }

    func testLogitsMatchOnnxRuntimeOnTheCommittedInput() throws {
        let input = try NpyArray(bytes: ExportFixtures.bytes("input.npy"), path: "input.npy")
        XCTAssertEqual(input.shape, [2, 1, 52, 60])
        for name in ExportFixtures.models {
            let expected = try NpyArray(bytes: ExportFixtures.bytes("\(name).ort.npy"), path: "\(name).ort.npy")
            XCTAssertEqual(expected.shape, [2, 2, 12, 20])
            let net = try Checkpoint.read(from: ExportFixtures.path("\(name).safetensors")).makeModel()
            let logits = Tape.withoutRecording { net(Tensor(shape: Shape(input.shape), scalars: input.values)) }
            XCTAssertEqual(logits.shape.dims, expected.shape)
            let worst = zip(logits.scalars, expected.values).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-4, name)
            // The comparison means something: the logits are not all alike.
            XCTAssertGreaterThan(expected.values.max()! - expected.values.min()!, 0.1, name)
        }
    }

    /// Blocks, padding, classes, channels and --softmax beyond the two models above, each against
    /// onnxruntime on its own input (Tools/make_export_fixtures.py): the export of every
    /// configuration a user can train, not two.
    static let variants: [(name: String, output: UNetGraph.Output, block: BlockKind, padding: PaddingMode, classes: Int, channels: Int)] = [
        ("plain-softmax", .probabilities, .plain, .valid, 2, 1),
        ("bottleneck-3class", .logits, .bottleneck, .valid, 3, 1),
        ("same-rgb", .logits, .residual, .same, 3, 3),
    ]

    func testVariantsMatchOnnxRuntime() throws {
        for v in Self.variants {
            let checkpoint = try Checkpoint.read(from: ExportFixtures.path("\(v.name).safetensors"))
            let c = checkpoint.info.configuration
            XCTAssertEqual([c.block.rawValue, c.padding.rawValue], [v.block.rawValue, v.padding.rawValue], v.name)
            XCTAssertEqual([c.classes, c.inputChannels], [v.classes, v.channels], v.name)
            let bytes = try ONNXExport.model(from: checkpoint, output: v.output).serialized()
            XCTAssertEqual(bytes, try ExportFixtures.bytes("\(v.name).onnx"), "\(v.name): exporting again gives other bytes")
            let s = try Summary(bytes)
            XCTAssertEqual(s.inputs.first?.1, ["N", "\(v.channels)", "H", "W"], v.name)
            XCTAssertEqual(s.outputs.map(\.0), [v.output.rawValue], v.name)
            XCTAssertEqual(s.outputs.first?.1.dropFirst().first, "\(v.classes)", v.name)
            XCTAssertEqual(s.ops.contains("Softmax"), v.output == .probabilities, v.name)

            let input = try NpyArray(bytes: ExportFixtures.bytes("\(v.name).input.npy"), path: "\(v.name).input.npy")
            let expected = try NpyArray(bytes: ExportFixtures.bytes("\(v.name).ort.npy"), path: "\(v.name).ort.npy")
            let net = try checkpoint.makeModel()
            let logits = Tape.withoutRecording { net(Tensor(shape: Shape(input.shape), scalars: input.values)) }
            let mine = v.output == .probabilities ? softmax(logits) : logits
            XCTAssertEqual(mine.shape.dims, expected.shape, v.name)
            let worst = zip(mine.scalars, expected.values).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-4, v.name)
            XCTAssertGreaterThan(expected.values.max()! - expected.values.min()!, 0.05, "\(v.name): the outputs are not all alike")
        }
    }
}
