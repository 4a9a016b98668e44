import Foundation

/// Why training stopped early.
public enum TrainingError: Error, CustomStringConvertible {
    case diverged(step: Int, loss: Float, lastGoodCheckpoint: String?)
    /// The weights or the validation loss stopped being finite although the training loss was.
    case nonFinite(what: String, step: Int, lastGoodCheckpoint: String?)
    case invalidOptions([String])
    case noData(String)
    /// The run folder holds another run (and neither --resume nor --overwrite was given).
    case runFolderTaken(folder: String, files: [String])
    /// The data does not fit the resumed model.
    case dataMismatch(String)
    /// Data-parallel ranks that should hold the same model do not (checked at every save).
    case ranksDisagree(step: Int)

    public var description: String {
        switch self {
        case .diverged(let step, let loss, let last):
            return "training diverged: the loss became \(loss) at step \(step). "
                + (last.map { "The last good checkpoint is \($0)" } ?? "No checkpoint was written before it")
                + "; try a lower learning rate (--lr) or gradient clipping (--clip-norm)."
        case .nonFinite(let what, let step, let last):
            return "training diverged: \(what) at step \(step), although the training loss was finite; nothing was saved from it. "
                + (last.map { "The last good checkpoint is \($0)" } ?? "No checkpoint was written before it")
                + "; try a lower learning rate (--lr) or gradient clipping (--clip-norm)."
        case .invalidOptions(let p): return "invalid options:\n" + p.map { "  - " + $0 }.joined(separator: "\n")
        case .noData(let s): return s
        case .runFolderTaken(let folder, let files):
            let last = (folder as NSString).appendingPathComponent("last.safetensors")
            return "\(folder) already holds a training run (\(files.joined(separator: ", "))); continue it with --resume \(last), "
                + "choose another --out, or pass --overwrite to replace it"
        case .dataMismatch(let s): return s
        case .ranksDisagree(let step):
            return "the ranks hold different weights at step \(step) (their gradient averages differed); nothing was saved from this step. "
                + "Resume from the last checkpoint; if it happens again, the reduction is not deterministic across ranks"
        }
    }
}

/// How a run ended.
public enum TrainingOutcome: Equatable {
    case finished
    case interrupted(step: Int)
}
