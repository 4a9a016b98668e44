/// An ONNX model (`ModelProto`): one graph, the operator set it uses and string metadata.
public struct ONNXModel: Equatable {
    /// IR version 8 and opset 17 (ONNX 1.12, 2022): read by every onnxruntime since 1.12.
    public static let irVersion = 8
    public static let opsetVersion = 17

    public var graphName: String
    public var nodes: [ONNXNode] = []
    public var initializers: [ONNXTensor] = []
    public var inputs: [ONNXValueInfo] = []
    public var outputs: [ONNXValueInfo] = []
    /// `metadata_props`, in the order given.
    public var metadata: [(key: String, value: String)] = []
    public var docString = ""
    public var producerVersion = "0.1.0"

    public init(graphName: String) { self.graphName = graphName }

    public static func == (a: ONNXModel, b: ONNXModel) -> Bool { a.serialized() == b.serialized() }

    /// The bytes of the `.onnx` file. ModelProto: ir_version 1, producer_name 2, producer_version 3,
    /// doc_string 6, graph 7, opset_import 8 (domain 1, version 2), metadata_props 14 (key 1,
    /// value 2). GraphProto: node 1, name 2, initializer 5, input 11, output 12.
    public func serialized() -> [UInt8] {
        var w = ProtobufWriter()
        w.int(1, Self.irVersion)
        w.string(2, "unet")
        w.string(3, producerVersion)
        if !docString.isEmpty { w.string(6, docString) }
        w.message(7) { g in
            for n in nodes { g.message(1) { n.encode(into: &$0) } }
            g.string(2, graphName)
            for t in initializers { g.message(5) { t.encode(into: &$0) } }
            for i in inputs { g.message(11) { i.encode(into: &$0) } }
            for o in outputs { g.message(12) { o.encode(into: &$0) } }
        }
        w.message(8) { opset in
            opset.string(1, "")
            opset.int(2, Self.opsetVersion)
        }
        for (key, value) in metadata {
            w.message(14) { entry in
                entry.string(1, key)
                entry.string(2, value)
            }
        }
        return w.bytes
    }
}
