/// A graph input or output: name, float32 element type and a shape whose dimensions are numbers
/// or symbols (`N`, `H`, …) that any size matches.
public struct ONNXValueInfo: Equatable {
    public enum Dimension: Equatable {
        case value(Int)
        case symbol(String)
    }

    public var name: String
    public var shape: [Dimension]
    public var docString: String

    public init(name: String, shape: [Dimension], docString: String = "") {
        self.name = name
        self.shape = shape
        self.docString = docString
    }

    /// ValueInfoProto: name 1, type 2 (TypeProto: tensor_type 1 → elem_type 1 (FLOAT = 1),
    /// shape 2 → dim 1 → dim_value 1 | dim_param 2), doc_string 3.
    func encode(into w: inout ProtobufWriter) {
        w.string(1, name)
        w.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, ONNXTensor.DataType.float.rawValue)
                tensor.message(2) { shapeProto in
                    for d in shape {
                        shapeProto.message(1) { dim in
                            switch d {
                            case .value(let v): dim.int(1, v)
                            case .symbol(let s): dim.string(2, s)
                            }
                        }
                    }
                }
            }
        }
        if !docString.isEmpty { w.string(3, docString) }
    }
}
