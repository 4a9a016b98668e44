/// Rank `rank`'s shard of any batch source: asks `global` for the step's whole batch (of
/// `worldSize` · B samples) and keeps samples rank·B..<(rank+1)·B. Every rank decodes the whole
/// batch, so this suits cheap sources (tests, in-memory data); `PatchBatcher` shards natively,
/// drawing only its own patches.
public struct RankShard: BatchSource {
    public let global: BatchSource
    public let rank: Int
    public let worldSize: Int

    public init(_ global: BatchSource, rank: Int, worldSize: Int) {
        precondition(worldSize >= 1 && (0..<worldSize).contains(rank), "[RankShard] rank \(rank) of \(worldSize)")
        (self.global, self.rank, self.worldSize) = (global, rank, worldSize)
    }

    public var stepsPerEpoch: Int { global.stepsPerEpoch }

    public func batch(step: Int) throws -> Batch {
        let whole = try global.batch(step: step)
        precondition(whole.size % worldSize == 0, "[RankShard] a batch of \(whole.size) does not split into \(worldSize) equal shards")
        let b = whole.size / worldSize
        let input = whole.channels * whole.inputSize * whole.inputSize, output = whole.outputSize * whole.outputSize
        let first = rank * b, end = first + b
        return Batch(inputs: Array(whole.inputs[(first * input)..<(end * input)]),
                     targets: Array(whole.targets[(first * output)..<(end * output)]),
                     weights: whole.weights.map { Array($0[(first * output)..<(end * output)]) },
                     size: b, channels: whole.channels, inputSize: whole.inputSize, outputSize: whole.outputSize)
    }
}
