import Foundation

/// The process's peak resident set size so far, in MiB (2^20 bytes), from `VmHWM` in
/// /proc/self/status (Linux), or nil where that file is missing.
public func peakResidentMegabytes() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        // "VmHWM:   123456 kB"
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2, let kb = Double(fields[1]) else { return nil }
        return kb / 1024
    }
    return nil
}
