import ArgumentParser

/// A time span given on the command line: "90s", "45m", "2h", "1h30m", or plain seconds;
/// bounded when parsed, so that nothing derived from it (a step count) can overflow.
struct Duration: Equatable, CustomStringConvertible {
    static let maximumSeconds = 30.0 * 86_400
    static let form = "a duration looks like 90s, 45m, 2h, 1h30m or plain seconds (e.g. 600), at least 1s and at most 30 days (720h)"

    let seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    /// Parses `argument`; the error says what a duration looks like and which bound was passed.
    static func parse(_ argument: String) throws -> Duration {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        guard let seconds = total(text) else { throw ValidationError("'\(argument)' is not a duration: \(form)") }
        guard seconds >= 1, seconds <= maximumSeconds else {
            throw ValidationError("'\(argument)' is \(seconds < 1 ? "under 1 second" : "over 30 days"): \(form)")
        }
        return Duration(seconds: seconds)
    }

    /// Seconds in `text` ("1h30m", "90"), nil when it is not of that form.
    private static func total(_ text: String) -> Double? {
        // Digits and dots only: Double("1e99"), "inf" or "nan" are not durations.
        let isNumber: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") } }
        if isNumber(Substring(text)) { return Double(text) }
        var total = 0.0, number = Substring()
        var rest = Substring(text)
        var units: [Character] = []
        while let ch = rest.first {
            rest = rest.dropFirst()
            if ch.isASCII && (ch.isNumber || ch == ".") { number.append(ch); continue }
            guard isNumber(number), let value = Double(number), let unit = ["s": 1.0, "m": 60, "h": 3600, "d": 86_400][ch],
                  !units.contains(ch) else { return nil }
            units.append(ch)
            total += value * unit
            number = ""
        }
        return number.isEmpty && !units.isEmpty && total.isFinite ? total : nil
    }

    var description: String {
        let s = Int(seconds.rounded())
        if s % 3600 == 0 { return "\(s / 3600)h" }
        if s >= 3600 { return "\(s / 3600)h\((s % 3600) / 60)m" }
        if s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}
