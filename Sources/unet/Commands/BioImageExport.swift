import Export
import Training

struct BioImageExport {
    let command: Export
    let checkpoint: Checkpoint
    let output: UNetGraph.Output
    let inputs: [OutputSafety.Input]
    func run() throws { throw CommandFailure("not yet") }
}
