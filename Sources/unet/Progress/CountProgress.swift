import Foundation

/// Progress over a count of items on standard error: one line redrawn in place with elapsed
/// time and ETA on a terminal, a plain line every 10 items (and the last) otherwise.
struct CountProgress {
    let total: Int
    let noun: String
    let start = Date()

    init(total: Int, noun: String) {
        self.total = total
        self.noun = noun
    }

    func update(_ done: Int) {
        let elapsed = Date().timeIntervalSince(start)
        let eta = elapsed / Double(max(done, 1)) * Double(total - done)
        let line = String(format: "%d/%d %@, %.1f s, ETA %.0f s", done, total, noun, elapsed, eta)
        if isatty(STDERR_FILENO) != 0 {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)\(done == total ? "\n" : "")".utf8))
        } else if done == total || done % 10 == 0 {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }
}
