import ArgumentParser
import CPUBackend
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
        main(nil)
    }
}
