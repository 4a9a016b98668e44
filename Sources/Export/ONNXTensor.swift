/// An ONNX `TensorProto` holding constant data (weights, crop margins, resize scales), stored as
/// little-endian `raw_data`.
public struct ONNXTensor: Equatable {
    public enum DataType: Int { case float = 1, int64 = 7 }

    public var name: String
    public var dims: [Int]
    public var dataType: DataType
    public var rawData: [UInt8]

    public static func float(_ name: String, dims: [Int], _ values: [Float]) -> ONNXTensor {
        precondition(dims.reduce(1, *) == values.count, "[ONNXTensor] \(name): \(values.count) values for dims \(dims)")
        return ONNXTensor(name: name, dims: dims, dataType: .float, rawData: LittleEndianBytes.of(values))
    }

    public static func int64(_ name: String, _ values: [Int]) -> ONNXTensor {
        ONNXTensor(name: name, dims: [values.count], dataType: .int64, rawData: LittleEndianBytes.of(values.map { Int64($0) }))
    }

    /// TensorProto fields: dims 1, data_type 2, name 8, raw_data 9.
    func encode(into w: inout ProtobufWriter) {
        w.packedInts(1, dims)
        w.int(2, dataType.rawValue)
        w.string(8, name)
        w.bytes(9, rawData)
    }
}
