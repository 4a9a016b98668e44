import ArgumentParser
import NN
import Tensors

extension BlockKind: ExpressibleByArgument {}
extension PaddingMode: ExpressibleByArgument {}
extension Upsampling: ExpressibleByArgument {}

/// Options that define the network (shared by `train` and `bench`).
struct ModelOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Number of 2×2 poolings (default 4).")
    var depth: Int?

    @Option(parsing: .unconditional, help: "Channels at the first level (default 32).")
    var width: Int?

    @Option(name: .customLong("width-multiplier"), parsing: .unconditional, help: "Channel factor between consecutive levels (default 2).")
    var widthMultiplier: Double?

    @Option(help: "Convolution padding: valid (the paper's, default; outputs are smaller than inputs) or same.")
    var padding: PaddingMode?

    @Option(help: "Block type: plain, residual, preact or bottleneck (default residual).")
    var block: BlockKind?

    @Option(help: "Up-sampling: transposed (2×2 stride-2 up-convolution, default) or nearest.")
    var upsampling: Upsampling?

    @Flag(name: .customLong("batch-norm"), inversion: .prefixedNo, help: "Batch normalisation after convolutions (default on).")
    var batchNorm: Bool?

    @Option(parsing: .unconditional, help: "Dropout probability at the bottom of the network (default 0).")
    var dropout: Float?

    func validate() throws {
        if let widthMultiplier, !(widthMultiplier.isFinite && widthMultiplier >= 1) {
            throw ValidationError("--width-multiplier must be a finite number of at least 1 (got \(widthMultiplier))")
        }
        if let dropout, !(dropout >= 0 && dropout < 1) { throw ValidationError("--dropout must be in [0, 1) (got \(dropout))") }
        if let depth, depth < 1 { throw ValidationError("--depth must be at least 1 (got \(depth))") }
        if let width, width < 1 { throw ValidationError("--width must be at least 1 (got \(width))") }
    }

    /// `base` with the options given on the command line applied.
    func apply(to base: UNetConfiguration) -> UNetConfiguration {
        var c = base
        if let depth { c.depth = depth }
        if let width { c.baseWidth = width }
        if let widthMultiplier { c.widthMultiplier = widthMultiplier }
        if let padding { c.padding = padding }
        if let block { c.block = block }
        if let upsampling { c.upsampling = upsampling }
        if let batchNorm { c.batchNorm = batchNorm }
        if let dropout { c.dropout = dropout }
        return c
    }
}
