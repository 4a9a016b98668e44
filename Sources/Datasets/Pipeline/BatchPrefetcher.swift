import Foundation

/// Produces batches on background threads, a few steps ahead of the training loop, so that
/// decoding and augmentation overlap computation. Records how long the consumer waited. With
/// several workers, each takes the next step to produce; since a batch is a function of its
/// step alone (`BatchSource`), the batches are the same whatever the number of workers.
public final class BatchPrefetcher: @unchecked Sendable {
    /// What the workers share with the consumer. The workers hold it, not the prefetcher, so
    /// that dropping the prefetcher stops them (its deinit) instead of leaving them a dangling
    /// reference.
    private final class Queue: @unchecked Sendable {
        let produce: @Sendable (Int) throws -> Batch
        let depth: Int
        let endStep: Int
        var ready: [Int: Result<Batch, Error>] = [:]
        var nextToProduce: Int
        /// The step the consumer asks for next: production stays at most `depth` steps ahead of it.
        var nextToConsume: Int
        var stopped = false
        let condition = NSCondition()

        init(start: Int, end: Int, depth: Int, produce: @escaping @Sendable (Int) throws -> Batch) {
            self.produce = produce
            self.depth = depth
            self.endStep = end
            nextToProduce = start
            nextToConsume = start
        }

        func run() {
            while true {
                condition.lock()
                while !stopped && nextToProduce < endStep && nextToProduce - nextToConsume >= depth { condition.wait() }
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
    }

    private let queue: Queue
    /// Total seconds the consumer spent waiting for a batch that was not ready.
    public private(set) var waitSeconds: Double = 0

    /// Prefetches steps `start..<end` on `workers` threads, at most `depth` (at least `workers`)
    /// steps ahead of consumption.
    public init(from start: Int, to end: Int, depth: Int = 3, workers: Int = 1, produce: @escaping @Sendable (Int) throws -> Batch) {
        let queue = Queue(start: start, end: end, depth: max(depth, workers), produce: produce)
        self.queue = queue
        for k in 0..<max(1, workers) {
            let t = Thread { queue.run() }
            t.name = "batch-prefetch-\(k)"
            t.start()
        }
    }

    /// The batch of `step` (which must be the next one in order), waiting if needed.
    public func batch(step: Int) throws -> Batch {
        let start = Date()
        let q = queue
        q.condition.lock()
        var waited = false
        while q.ready[step] == nil { waited = true; q.condition.wait() }
        let result = q.ready.removeValue(forKey: step)!
        q.nextToConsume = max(q.nextToConsume, step + 1)
        q.condition.broadcast()
        q.condition.unlock()
        if waited { waitSeconds += Date().timeIntervalSince(start) }
        return try result.get()
    }

    /// Stops the background threads (each finishes the batch it is making).
    public func stop() {
        queue.condition.lock()
        queue.stopped = true
        queue.condition.broadcast()
        queue.condition.unlock()
    }

    deinit { stop() }
}
