extension String {
    /// The string with control characters (Unicode category Cc) written as `\u{1B}`, so that
    /// text from a file can be quoted in a message without reaching the terminal as escapes.
    public var escapingControlCharacters: String {
        var out = ""
        for scalar in unicodeScalars {
            if scalar.properties.generalCategory == .control {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
