/// Errors thrown while reading, validating or writing a safetensors file.
///
/// Every case carries the file path (or `"<memory>"`) so that a CLI can print
/// the error as-is and the user knows which file is at fault.
public enum SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened, read, written, synced or renamed.
    case io(path: String, operation: String, message: String)
    /// Fewer than the 8 bytes of the header-length prefix.
    case fileTooShort(path: String, size: Int)
    /// The bytes do not look like safetensors at all (absurd header length, header not a JSON object).
    case notSafeTensors(path: String, reason: String)
    /// The header length points past the end of the file.
    case truncated(path: String, needed: Int, size: Int)
    /// The header is not valid JSON or lacks/mistypes a required field.
    case invalidHeader(path: String, reason: String)
    /// A tensor declares a dtype this reader does not know.
    case unknownDType(name: String, dtype: String, path: String)
    /// A tensor's `data_offsets` are out of range, overlap, leave gaps, or disagree with shape × dtype.
    case invalidOffsets(name: String, reason: String, path: String)
    /// A tensor that was asked for is not in the file.
    case missingTensor(name: String, path: String)
    /// A tensor has another shape than the caller expected.
    case shapeMismatch(name: String, expected: [Int], found: [Int], path: String)
    /// A tensor has another dtype than the caller expected (or one that cannot be converted).
    case dtypeMismatch(name: String, expected: String, found: DType, path: String)
    /// A tensor handed to the writer is inconsistent (byte count vs shape, reserved name).
    case invalidTensor(name: String, reason: String)

    /// A one-line message naming the file and the problem.
    public var description: String {
        switch self {
        case let .io(path, operation, message):
            return "\(path): cannot \(operation): \(message)"
        case let .fileTooShort(path, size):
            return "\(path): file too short for safetensors (\(size) bytes, need at least 8)"
        case let .notSafeTensors(path, reason):
            return "\(path): not a safetensors file (\(reason))"
        case let .truncated(path, needed, size):
            return "\(path): truncated safetensors file (header needs \(needed) bytes, file has \(size))"
        case let .invalidHeader(path, reason):
            return "\(path): invalid safetensors header: \(reason)"
        case let .unknownDType(name, dtype, path):
            return "\(path): tensor '\(name)' has unknown dtype '\(dtype)'"
        case let .invalidOffsets(name, reason, path):
            return "\(path): tensor '\(name)' has invalid data_offsets: \(reason)"
        case let .missingTensor(name, path):
            return "\(path): missing tensor '\(name)'"
        case let .shapeMismatch(name, expected, found, path):
            return "\(path): tensor '\(name)' has shape \(found), expected \(expected)"
        case let .dtypeMismatch(name, expected, found, path):
            return "\(path): tensor '\(name)' has dtype \(found.rawValue), expected \(expected)"
        case let .invalidTensor(name, reason):
            return "tensor '\(name)': \(reason)"
        }
    }
}
