/// The contents of a safetensors file: string metadata and named tensors.
///
/// Format (Hugging Face safetensors): an 8-byte little-endian `UInt64` header
/// length N, N bytes of UTF-8 JSON
/// `{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}`
/// (possibly padded with spaces), then the data buffer; offsets are relative
/// to the start of the data buffer.
public struct SafeTensorsFile: Equatable, Sendable {
    /// Free-form string metadata (`__metadata__`).
    public var metadata: [String: String]
    /// Tensors by name.
    public var tensors: [String: StoredTensor]
    /// Where the file came from (`"<memory>"` if built in memory); used in error messages.
    public var path: String

    /// An in-memory file, ready to be filled and written.
    public init(metadata: [String: String] = [:], tensors: [String: StoredTensor] = [:], path: String = "<memory>") {
        self.metadata = metadata
        self.tensors = tensors
        self.path = path
    }

    /// The tensor called `name`; throws `missingTensor` if absent.
    public func tensor(_ name: String) throws -> StoredTensor {
        guard let tensor = tensors[name] else { throw SafeTensorsError.missingTensor(name: name, path: path) }
        return tensor
    }

    /// Shape of the tensor called `name`; throws `missingTensor` if absent.
    public func shape(of name: String) throws -> [Int] { try tensor(name).shape }

    /// Dtype of the tensor called `name`; throws `missingTensor` if absent.
    public func dtype(of name: String) throws -> DType { try tensor(name).dtype }

    /// Throws `shapeMismatch` unless tensor `name` exists with shape `expected`.
    public func checkShape(_ name: String, _ expected: [Int]) throws {
        let found = try shape(of: name)
        guard found == expected else {
            throw SafeTensorsError.shapeMismatch(name: name, expected: expected, found: found, path: path)
        }
    }

    /// Throws `dtypeMismatch` unless tensor `name` exists with dtype `expected`.
    public func checkDType(_ name: String, _ expected: DType) throws {
        let found = try dtype(of: name)
        guard found == expected else {
            throw SafeTensorsError.dtypeMismatch(name: name, expected: expected.rawValue, found: found, path: path)
        }
    }

    /// Elements of tensor `name` as `Float` (F32 exact; F64, F16, BF16 converted).
    /// Throws `missingTensor`, or `dtypeMismatch` for integer dtypes.
    public func floats(_ name: String) throws -> [Float] {
        let t = try tensor(name)
        guard let values = t.floatValues() else {
            throw SafeTensorsError.dtypeMismatch(name: name, expected: "a floating-point dtype", found: t.dtype, path: path)
        }
        return values
    }

    /// Elements of tensor `name` as `Float`, after checking its shape is `shape`.
    public func floats(_ name: String, shape expected: [Int]) throws -> [Float] {
        try checkShape(name, expected)
        return try floats(name)
    }

    /// Elements of tensor `name` as `Double` (any floating-point dtype).
    public func doubles(_ name: String) throws -> [Double] {
        let t = try tensor(name)
        guard let values = t.doubleValues() else {
            throw SafeTensorsError.dtypeMismatch(name: name, expected: "a floating-point dtype", found: t.dtype, path: path)
        }
        return values
    }

    /// Elements of tensor `name` as `Int64` (any integer dtype or BOOL).
    /// Throws `missingTensor`, or `dtypeMismatch` for floating-point dtypes and U64 values above `Int64.max`.
    public func int64s(_ name: String) throws -> [Int64] {
        let t = try tensor(name)
        guard let values = t.int64Values() else {
            throw SafeTensorsError.dtypeMismatch(name: name, expected: "an integer dtype", found: t.dtype, path: path)
        }
        return values
    }

    /// Two files are equal when metadata and tensors are; `path` is ignored.
    public static func == (lhs: SafeTensorsFile, rhs: SafeTensorsFile) -> Bool {
        lhs.metadata == rhs.metadata && lhs.tensors == rhs.tensors
    }
}
