import Foundation
/// The C parameter types of a kernel, read from its source, so that every launch can be checked
/// against them: a launch with the wrong number or kind of arguments would otherwise read
/// garbage on the device without any error.
public enum KernelParameter: Equatable, Sendable, CustomStringConvertible {
    case pointer, int, long, float, u64, f64

    public var description: String {
        switch self {
        case .pointer: return "pointer"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .u64: return "unsigned long long"
        case .f64: return "double"
        }
    }

    /// The kind of one C parameter declaration (`const float *x`, `long n`, ...), or nil.
    static func parse(_ declaration: String) -> KernelParameter? {
        let d = declaration.trimmingCharacters(in: .whitespacesAndNewlines)
        if d.contains("*") { return .pointer }
        let words = d.split(separator: " ").map(String.init).filter { $0 != "const" }
        guard words.count >= 2 else { return nil }
        switch words.dropLast().joined(separator: " ") {
        case "int": return .int
        case "long": return .long
        case "float": return .float
        case "double": return .f64
        case "unsigned long long": return .u64
        default: return nil
        }
    }
}

extension KernelSource {
    /// The parameters of `kernel` as its source declares them, or nil when the source does not
    /// define it (or declares a parameter of a type the launcher cannot pass).
    public func parameters(of kernel: String) -> [KernelParameter]? {
        guard let declarations = parameterDeclarations(of: kernel) else { return nil }
        let kinds = declarations.map(KernelParameter.parse)
        return kinds.contains(nil) ? nil : kinds.map { $0! }
    }

    /// The parameter declarations of `kernel` as written (`const float *x`, `long n`), or nil.
    public func parameterDeclarations(of kernel: String) -> [String]? {
        guard let start = code.range(of: "extern \"C\" __global__ void \(kernel)("),
              let end = code.range(of: ")", range: start.upperBound..<code.endIndex) else { return nil }
        return code[start.upperBound..<end.lowerBound].split(separator: ",").map {
            $0.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
    }
}
