/// One operator of an ONNX graph (`NodeProto`) with its attributes.
public struct ONNXNode: Equatable {
    /// An attribute value of the kinds the U-Net graph uses.
    public enum Attribute: Equatable {
        case int(Int)
        case ints([Int])
        case float(Float)
        case string(String)
    }

    public var opType: String
    public var name: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [(String, Attribute)]

    public init(_ opType: String, name: String, inputs: [String], outputs: [String], attributes: [(String, Attribute)] = []) {
        self.opType = opType
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    public static func == (a: ONNXNode, b: ONNXNode) -> Bool {
        a.opType == b.opType && a.name == b.name && a.inputs == b.inputs && a.outputs == b.outputs
            && a.attributes.map(\.0) == b.attributes.map(\.0) && a.attributes.map(\.1) == b.attributes.map(\.1)
    }

    /// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5. AttributeProto: name 1,
    /// f 2, i 3, s 4, ints 8, type 20 (FLOAT 1, INT 2, STRING 3, INTS 7).
    func encode(into w: inout ProtobufWriter) {
        for i in inputs { w.string(1, i) }
        for o in outputs { w.string(2, o) }
        w.string(3, name)
        w.string(4, opType)
        for (key, value) in attributes {
            w.message(5) { a in
                a.string(1, key)
                switch value {
                case .float(let f): a.float(2, f); a.int(20, 1)
                case .int(let i): a.int(3, i); a.int(20, 2)
                case .string(let s): a.string(4, s); a.int(20, 3)
                case .ints(let list): a.packedInts(8, list); a.int(20, 7)
                }
            }
        }
    }
}
