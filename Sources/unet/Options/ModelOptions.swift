import ArgumentParser
import NN
import Tensors

extension BlockKind: ExpressibleByArgument {}
extension PaddingMode: ExpressibleByArgument {}
extension Upsampling: ExpressibleByArgument {}

/// Options that define the network (shared by `train` and `bench`).
struct ModelOptions: ParsableArguments {
    @Option(help: "Number of 2×2 poolings (default 4).")
    var depth: Int?

    @Option(help: "Channels at the first level (default 32).")
    var width: Int?

    @Option(name: .customLong("width-multiplier"), help: "Channel factor between consecutive levels (default 2).")
    var widthMultiplier: Double?

    @Option(help: "Convolution padding: valid (the paper's, default; outputs are smaller than inputs) or same.")
    var padding: PaddingMode?

    @Option(help: "Block type: plain, residual, preact or bottleneck (default residual).")
    var block: BlockKind?

    @Option(help: "Up-sampling: transposed (2×2 stride-2 up-convolution, default) or nearest.")
    var upsampling: Upsampling?

    @Flag(name: .customLong("batch-norm"), inversion: .prefixedNo, help: "Batch normalisation after convolutions (default on).")
    var batchNorm: Bool?

    @Option(help: "Dropout probability at the bottom of the network (default 0).")
    var dropout: Float?

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

/// Thread count for the compute primitives.
struct ComputeOptions: ParsableArguments {
    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, let problem = ComputeThreads.problem(with: threads) { throw ValidationError("--" + problem) }
    }
}
