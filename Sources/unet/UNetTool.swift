import ArgumentParser
import CPUBackend
import Foundation
import MessagePassing
import Tensors

/// The `unet` command-line tool: parsing and wiring only; the work happens in the library modules.
@main
struct UNetTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet",
        abstract: "U-Net image segmentation: train, predict, evaluate, prepare datasets and export models.",
        discussion: """
        A dataset is a folder with images/ and masks/ whose files pair by base name (a.jpg pairs \
        with a.png). Masks hold a class index per pixel: 8-bit gray indices, binary 0/255 (read as \
        0/1 when every mask of the dataset holds only 0 and 255), palette PNGs (the palette index is \
        the class), or RGB colours mapped by a classes.json.
        """,
        version: "0.1.0",
        subcommands: [Train.self, Predict.self, Evaluate.self, Preprocess.self, Plan.self, Info.self, Bench.self, Export.self, Forward.self]
    )

    /// Chooses the compute backend before any command runs: the oneDNN CPU backend (the core
    /// has no default; `--device` may choose another).
    static func main() {
        Backend.use(CPUBackend.shared)
        do {
            var command = try parseAsRoot(nil)
            // Only train, predict and bench share work among ranks; the others would run N times over.
            if !(command is Train || command is Predict || command is Bench),
               let launch = try? MPILaunch.detect(ProcessInfo.processInfo.environment), launch.size ?? 2 > 1 {
                throw CommandFailure("this command runs as one process; start it without \(launch.launcher) "
                    + "(train, predict and bench run on several ranks)")
            }
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
