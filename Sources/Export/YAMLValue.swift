import Foundation

/// A YAML document as a tree, written in block style: enough for `rdf.yaml`. Every string is
/// double-quoted (JSON escapes are valid YAML), so no value can be misread as a number, a
/// boolean or YAML syntax; floats always carry a decimal point or a signed exponent.
public indirect enum YAMLValue: Equatable {
    case string(String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case list([YAMLValue])
    case map([(String, YAMLValue)])

    public static func == (a: YAMLValue, b: YAMLValue) -> Bool { a.rendered() == b.rendered() }

    /// The document's text, ending in a newline.
    public func rendered() -> String {
        var lines: [String] = []
        write(into: &lines, indent: "")
        return lines.joined(separator: "\n") + "\n"
    }

    private var isScalar: Bool {
        switch self {
        case .list(let items): return items.isEmpty
        case .map(let entries): return entries.isEmpty
        default: return true
        }
    }

    /// The value as it appears after `key: ` or `- ` (scalars and empty collections).
    private var inline: String {
        switch self {
        case .string(let s): return Self.quoted(s)
        case .int(let i): return String(i)
        case .float(let d): return Self.number(d)
        case .bool(let b): return b ? "true" : "false"
        case .list: return "[]"
        case .map: return "{}"
        }
    }

    private func write(into lines: inout [String], indent: String) {
        switch self {
        case .map(let entries) where !entries.isEmpty:
            for (key, value) in entries {
                if value.isScalar {
                    lines.append("\(indent)\(key): \(value.inline)")
                } else {
                    lines.append("\(indent)\(key):")
                    value.write(into: &lines, indent: indent + "  ")
                }
            }
        case .list(let items) where !items.isEmpty:
            for item in items {
                if item.isScalar {
                    lines.append("\(indent)- \(item.inline)")
                } else {
                    // The item's first line goes after the dash, the rest line up under it.
                    var nested: [String] = []
                    item.write(into: &nested, indent: indent + "  ")
                    let first = nested.removeFirst()
                    lines.append("\(indent)- " + first.dropFirst(indent.count + 2))
                    lines += nested
                }
            }
        default:
            lines.append(indent + inline)
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\x%02X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// Shortest round-trip text, with `.0` added to whole numbers and exponents written with a
    /// sign and a mantissa point (`1.0e-05`): the forms YAML 1.1 and 1.2 both read as floats.
    static func number(_ d: Double) -> String {
        precondition(d.isFinite, "[YAMLValue] \(d) is not a finite number")
        var text = "\(d)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var mantissa = String(text[..<e]), exponent = String(text[text.index(after: e)...])
            if !mantissa.contains(".") { mantissa += ".0" }
            if !exponent.hasPrefix("-") && !exponent.hasPrefix("+") { exponent = "+" + exponent }
            text = mantissa + "e" + exponent
        } else if !text.contains(".") {
            text += ".0"
        }
        return text
    }
}
