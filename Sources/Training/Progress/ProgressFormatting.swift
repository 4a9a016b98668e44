/// Text formatting for progress output, without Foundation.
public enum ProgressFormatting {
    /// A duration as `42s`, `1m23s` or `2h05m` (rounded to whole seconds); `--` when unknown
    /// (nil, NaN or infinite). Negative durations print as `0s`.
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "--" }
        let total = Int(max(seconds, 0).rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(twoDigits(total % 60))s" }
        let minutes = (total + 30) / 60
        return "\(minutes / 60)h\(twoDigits(minutes % 60))m"
    }

    /// `value` with exactly `digits` decimals (round half away from zero), `nan` for NaN.
    public static func fixed(_ value: Double, digits: Int) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        let negative = value < 0 && scaled > 0
        guard scaled < 9e15 else { return "\(value)" }
        let integer = Int64(scaled)
        let unit = Int64(scale)
        var text = "\(integer / unit)"
        if digits > 0 {
            let fraction = String(integer % unit)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return negative ? "-" + text : text
    }

    /// A bar of `width` cells filled to `fraction`: `[=====>    ]`.
    public static func bar(fraction: Double, width: Int) -> String {
        let clamped = min(max(fraction.isFinite ? fraction : 0, 0), 1)
        let filled = Int(clamped * Double(width))
        if filled >= width { return "[" + String(repeating: "=", count: width) + "]" }
        return "[" + String(repeating: "=", count: filled) + ">" + String(repeating: " ", count: width - filled - 1) + "]"
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
