import ArgumentParser
import Datasets
import Foundation

/// Shared output of the preprocess subcommands: progress on stderr, problems, exit codes.
enum PreprocessReporting {
    /// Progress lines on stderr: rewritten in place on a terminal, every 10th file otherwise.
    static func progress(_ verb: String) -> PreprocessProgress {
        let tty = isatty(STDERR_FILENO) != 0
        return { done, total, name in
            let line = "\(verb) \(done)/\(total): \(name)"
            if tty {
                FileHandle.standardError.write(Data("\r\u{1B}[K\(line)\(done == total ? "\n" : "")".utf8))
            } else if done == total || done % 10 == 0 {
                FileHandle.standardError.write(Data("\(line)\n".utf8))
            }
        }
    }

    /// Prints `summary`, then every problem on stderr; exits 1 when there are problems.
    static func finish(_ outcome: PreprocessOutcome, summary: String) throws {
        print(summary)
        guard !outcome.problems.isEmpty else { return }
        let text = "\(outcome.problems.count) problem(s):\n" + outcome.problems.map { "  \($0)\n" }.joined()
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode(1)
    }

    /// Refuses an output folder that is (or resolves to) the dataset folder `data`, or lies in
    /// its images/ or masks/ (where it would be read as data), or in one of `folders`.
    static func checkDistinct(out: String, dataset data: String? = nil, folders: [String] = []) throws {
        var inputs = folders.map { OutputSafety.Input(path: $0, role: "input folder", isFolder: true) }
        if let data { inputs += OutputSafety.dataset(data) }
        try OutputSafety.checkFolder(out, against: inputs)
    }
}
