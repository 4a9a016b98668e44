import Foundation

/// Produces batches on a background thread, a few steps ahead of the training loop, so that
/// decoding and augmentation overlap computation. Records how long the consumer waited.
public final class BatchPrefetcher: @unchecked Sendable {
    private let produce: @Sendable (Int) throws -> Batch
    private let depth: Int
    private var ready: [Int: Result<Batch, Error>] = [:]
    private var nextToProduce: Int
    private let endStep: Int
    private let condition = NSCondition()
    private var stopped = false
    private var thread: Thread?
    /// Total seconds the consumer spent waiting for a batch that was not ready.
    public private(set) var waitSeconds: Double = 0

    /// Prefetches steps `start..<end`, at most `depth` ahead of consumption.
    public init(from start: Int, to end: Int, depth: Int = 3, produce: @escaping @Sendable (Int) throws -> Batch) {
        self.produce = produce
        self.depth = depth
        self.nextToProduce = start
        self.endStep = end
        let t = Thread { [unowned self] in self.run() }
        t.name = "batch-prefetch"
        thread = t
        t.start()
    }

    private func run() {
        while true {
            condition.lock()
            while !stopped && (ready.count >= depth) { condition.wait() }
            if stopped || nextToProduce >= endStep { condition.unlock(); return }
            let step = nextToProduce
            nextToProduce += 1
            condition.unlock()
            let result = Result { try produce(step) }
            condition.lock()
            ready[step] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The batch of `step` (which must be the next one in order), waiting if needed.
    public func batch(step: Int) throws -> Batch {
        let start = Date()
        condition.lock()
        var waited = false
        while ready[step] == nil { waited = true; condition.wait() }
        let result = ready.removeValue(forKey: step)!
        condition.broadcast()
        condition.unlock()
        if waited { waitSeconds += Date().timeIntervalSince(start) }
        return try result.get()
    }

    /// Stops the background thread.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    deinit { stop() }
}
