/// How the gray levels of a dataset's masks stand for classes. Decided once for the whole
/// dataset by `MaskValueSurvey.encoding`, never per file: a per-file decision would read 255 as
/// class 1 in one mask and as class 255 in the next.
public enum MaskEncoding: String, Sendable, Equatable, Codable {
    /// The gray level is the class index.
    case indices
    /// Binary masks saved for viewing: 0 is class 0, 255 is class 1 (no other level occurs).
    case binary255

    /// The classes of a mask's gray levels; `path` labels the error for a level this encoding
    /// has no class for.
    func classes(fromGray levels: [UInt8], width: Int, path: String) throws -> [UInt8] {
        switch self {
        case .indices:
            return levels
        case .binary255:
            return try levels.enumerated().map { p, v in
                switch v {
                case 0: return 0
                case 255: return 1
                default:
                    throw DatasetError.badMask(path: path,
                        reason: "gray level \(v) at pixel (\(p % width), \(p / width)) in a dataset of binary 0/255 masks")
                }
            }
        }
    }
}
