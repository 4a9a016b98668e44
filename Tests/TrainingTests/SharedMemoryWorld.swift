import Foundation
import Tensors
@testable import Training

/// An in-process fake world of ranks for tests: each rank runs on its own thread and they meet
/// in shared memory. The ranks take turns: a rank computes while it holds the world's lock and
/// hands it over only while it waits in a collective, so at most one rank computes at a time (the
/// CPU backend's primitive cache is not shared safely between threads) and the run is
/// deterministic. Collectives combine in rank order (rank 0's values first), and every rank reads
/// the same result, so all ranks hold bit-identical averages.
final class SharedMemoryWorld: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var contributions: [[Double]?]
    private var result: [Double] = []
    private var generation = 0
    private var arrived = 0
    private var left = 0

    init(size: Int) {
        self.size = size
        contributions = Array(repeating: nil, count: size)
    }

    /// Runs `body(rank)` for every rank on its own thread, in turns, and waits for all; returns
    /// each rank's result.
    func run<T>(_ body: @escaping (Int) throws -> T) -> [Result<T, Error>] {
        let results = Results<T>(count: size)
        let done = DispatchGroup()
        for rank in 0..<size {
            done.enter()
            let thread = Thread { [self] in
                condition.lock()
                let r = Result { try body(rank) }
                results.set(rank, r)
                // A rank that leaves while another waits in a collective is a mismatch: fail, not hang.
                left += 1
                condition.broadcast()
                condition.unlock()
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return results.values
    }

    /// All-reduce: every rank passes its values (same count) and gets `op` of all of them,
    /// ordered by rank. Called with the world's lock held (inside `run`). Buffers are doubles
    /// (counts stay exact; float gradients are averaged in double and rounded once).
    func allReduce(_ values: [Double], rank: Int, _ op: ([[Double]]) -> [Double]) -> [Double] {
        let gen = generation
        precondition(contributions[rank] == nil, "[SharedMemoryWorld] rank \(rank) entered a collective twice")
        contributions[rank] = values
        arrived += 1
        if arrived == size {
            let all = contributions.map { $0! }
            precondition(all.allSatisfy { $0.count == values.count }, "[SharedMemoryWorld] ranks passed buffers of different sizes")
            result = op(all)
            contributions = Array(repeating: nil, count: size)
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == gen {
                precondition(left == 0, "[SharedMemoryWorld] rank \(rank) waits in a collective that a finished rank will never join")
                condition.wait()
            }
        }
        return result
    }

    /// Element-wise sum, in rank order.
    static func sum(_ all: [[Double]]) -> [Double] {
        var sum = all[0]
        for values in all.dropFirst() { for i in sum.indices { sum[i] += values[i] } }
        return sum
    }

    /// Element-wise average, summed in rank order.
    static func average(_ all: [[Double]]) -> [Double] {
        let n = Double(all.count)
        return sum(all).map { $0 / n }
    }

    func reducer(rank: Int, bucketFloats: Int = 4096) -> Reducer { Reducer(world: self, rank: rank, bucketFloats: bucketFloats) }

    /// One rank's `GradientReducer`. Gradients reported final during the backward pass are
    /// all-reduced there, in buckets of about `bucketFloats` values (as an overlapping MPI or
    /// NCCL reducer would); `combine(_:)` reduces what is left.
    final class Reducer: GradientReducer, @unchecked Sendable {
        let world: SharedMemoryWorld
        let rank: Int
        let bucketFloats: Int
        var worldSize: Int { world.size }
        private var bucket: [(name: String, tensor: Tensor)] = []
        private var reduced: Set<ObjectIdentifier> = []
        /// Names in the order `gradientReady` reported them, per step (for tests).
        private(set) var readyOrder: [[String]] = [[]]
        /// Buckets reduced during backward passes, and parameters reduced in `combine`, overall.
        private(set) var bucketsDuringBackward = 0, reducedInCombine = 0

        init(world: SharedMemoryWorld, rank: Int, bucketFloats: Int) {
            (self.world, self.rank, self.bucketFloats) = (world, rank, bucketFloats)
        }

        func gradientReady(name: String, tensor: Tensor) {
            readyOrder[readyOrder.count - 1].append(name)
            guard tensor.grad != nil else { return }
            bucket.append((name, tensor))
            if bucket.reduce(0, { $0 + $1.tensor.count }) >= bucketFloats {
                flush()
                bucketsDuringBackward += 1
            }
        }

        func combine(_ parameters: [(name: String, tensor: Tensor)]) {
            flush()
            let rest = parameters.filter { $0.tensor.grad != nil && !reduced.contains(ObjectIdentifier($0.tensor)) }
            reducedInCombine += rest.count
            bucket = rest
            flush()
            reduced = []
            readyOrder.append([])
        }

        /// All-reduces the bucket's gradients as one buffer and writes the averages back.
        private func flush() {
            guard !bucket.isEmpty else { return }
            let grads = bucket.map { $0.tensor.grad! }
            let averaged = world.allReduce(grads.flatMap { $0.scalars.map(Double.init) }, rank: rank, SharedMemoryWorld.average).map(Float.init)
            var offset = 0
            for ((_, p), g) in zip(bucket, grads) {
                p.grad = Tensor(shape: g.shape, scalars: Array(averaged[offset..<(offset + g.count)])).inLayout(g.layout)
                offset += g.count
                reduced.insert(ObjectIdentifier(p))
            }
            bucket = []
        }

        func combine(_ value: Float) -> Float { Float(world.allReduce([Double(value)], rank: rank, SharedMemoryWorld.average)[0]) }

        func sum(_ values: [Double]) -> [Double] { world.allReduce(values, rank: rank, SharedMemoryWorld.sum) }

        func combineStop(_ local: Bool) -> Bool {
            world.allReduce([local ? 1 : 0], rank: rank) { [$0.map { $0[0] }.max()!] }[0] > 0
        }

        func combine(runningStatistics: [(name: String, tensor: Tensor)]) {
            guard !runningStatistics.isEmpty else { return }
            let averaged = world.allReduce(runningStatistics.flatMap { $0.tensor.scalars.map(Double.init) }, rank: rank, SharedMemoryWorld.average).map(Float.init)
            var offset = 0
            for (_, t) in runningStatistics {
                t.assign(Array(averaged[offset..<(offset + t.count)]))
                offset += t.count
            }
        }
    }

    final class Results<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Result<T, Error>?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result<T, Error>) { lock.lock(); slots[i] = r; lock.unlock() }
        var values: [Result<T, Error>] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
    }
}
