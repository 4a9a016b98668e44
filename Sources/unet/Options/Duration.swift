/// A time span given on the command line: "90s", "45m", "2h", "1h30m", or plain seconds.
struct Duration: ExpressibleByArgument, Equatable, CustomStringConvertible {
    let seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        if let plain = Double(text) {
            guard plain > 0, plain.isFinite else { return nil }
            seconds = plain
            return
        }
        var total = 0.0, number = ""
        for ch in text {
            if ch.isNumber || ch == "." { number.append(ch); continue }
            guard let value = Double(number), let unit = ["s": 1.0, "m": 60, "h": 3600][String(ch)] else { return nil }
            total += value * unit
            number = ""
        }
        guard number.isEmpty, total > 0, total.isFinite else { return nil }
        seconds = total
    }

    var description: String {
        let s = Int(seconds.rounded())
        if s % 3600 == 0 { return "\(s / 3600)h" }
        if s >= 3600 { return "\(s / 3600)h\((s % 3600) / 60)m" }
        if s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}

import ArgumentParser
import Foundation
