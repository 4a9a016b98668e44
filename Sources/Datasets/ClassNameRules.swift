/// What a class name may hold. Names come from checkpoints and classes.json files and are
/// printed to terminals (`unet info`, training progress, evaluation tables) and written into
/// metrics.csv headers, so every source of names is checked with this one rule.
public enum ClassNameRules {
    /// Long enough for any descriptive name, short enough to keep tables readable.
    public static let maxLength = 200

    /// Why `name` is refused, or nil. Control characters (C0, DEL, C1: Unicode category Cc)
    /// are refused: ESC or CSI in a name would reach the terminal as an escape sequence.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.count > maxLength { return "has \(name.count) characters; at most \(maxLength) are allowed" }
        if let bad = name.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            let hex = String(bad.value, radix: 16, uppercase: true)
            return "contains the control character U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex); names are printed to terminals"
        }
        return nil
    }
}
