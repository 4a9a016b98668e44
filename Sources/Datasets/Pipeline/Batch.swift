/// One training batch: inputs [B,C,P,P] and, for the network's output window O×O, class
/// targets and optional pixel weights (B·O·O each), row-major.
public struct Batch: Sendable {
    public var inputs: [Float]
    public var targets: [Int32]
    public var weights: [Float]?
    public var size: Int
    public var channels: Int
    public var inputSize: Int
    public var outputSize: Int

    public init(inputs: [Float], targets: [Int32], weights: [Float]?, size: Int, channels: Int, inputSize: Int, outputSize: Int) {
        precondition(inputs.count == size * channels * inputSize * inputSize && targets.count == size * outputSize * outputSize
                     && (weights?.count ?? targets.count) == targets.count, "[Batch] sizes do not match the arrays")
        (self.inputs, self.targets, self.weights) = (inputs, targets, weights)
        (self.size, self.channels, self.inputSize, self.outputSize) = (size, channels, inputSize, outputSize)
    }
}
