import Foundation

extension DecodingError {
    /// One line naming the field at fault, e.g. `palette[0][1]: Parsed JSON number <300> does
    /// not fit in UInt8.` or `configuration.depth: missing`, instead of Swift's dump of the error
    /// (control characters from the file escaped).
    public var fieldDescription: String { unescaped.escapingControlCharacters }

    private var unescaped: String {
        switch self {
        case .keyNotFound(let key, let context):
            return "\(Self.path(context.codingPath + [key])): missing"
        case .valueNotFound(let type, let context):
            return "\(Self.path(context.codingPath)): null where \(Self.name(of: type)) is expected"
        case .typeMismatch(let type, let context):
            return "\(Self.path(context.codingPath)): expected \(Self.name(of: type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                // JSONDecoder says this too when a number does not fit its field, without naming it.
                let reason = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                return "not valid JSON, or a number does not fit its field" + (reason.map { " (\($0))" } ?? "")
            }
            return "\(Self.path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }

    /// `a.b[2].c` from a coding path.
    static func path(_ keys: [CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let i = key.intValue, key.stringValue.hasPrefix("Index ") { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out.isEmpty ? "(top level)" : out
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is UInt8.Type, is UInt64.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        default:
            let n = String(describing: type)
            return n.hasPrefix("Array") ? "an array" : n.hasPrefix("Dictionary") ? "an object" : "a \(n)"
        }
    }
}
