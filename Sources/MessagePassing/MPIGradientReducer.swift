import Foundation
import Tensors
import Training

/// `GradientReducer` over MPI: one process per rank. Gradients reported final during the
/// backward pass are copied into buckets of about `bucketFloats` values; each full bucket starts
/// an `MPI_Iallreduce` at once, so the sums travel while the backward pass computes the earlier
/// layers' gradients, and every later report lets MPI progress the buckets in flight.
/// `combine(parameters)` starts the last bucket, waits for all, and writes the averages back.
/// The other collectives are small and blocking.
///
/// Every rank reads the same reduced buffers, so the ranks hold bit-identical weights (Open MPI's
/// all-reduce gives every rank the same bits for a commutative sum of floats).
public final class MPIGradientReducer: GradientReducer {
    public let world: MPIWorld
    public var rank: Int { world.rank }
    public var worldSize: Int { world.size }
    /// Floats per bucket: 2^20 (4 MiB) by default: large enough that the per-message latency of a
    /// ring all-reduce (2(N−1) messages per bucket) stays small beside its transfer time on a
    /// network, small enough that the first buckets start early in the backward pass (config B's
    /// 8 MB of gradients make 2 buckets, config A's 130 MB make 31).
    public let bucketFloats: Int

    private var bucket: [Tensor] = []
    private var bucketCount = 0
    private var inFlight: [(parameters: [Tensor], reduction: MPIWorld.Reduction)] = []
    private var reduced: Set<ObjectIdentifier> = []
    /// Buckets started during backward passes and in `combine`, and steps combined, over the run
    /// (for tests and tuning).
    public private(set) var bucketsDuringBackward = 0, bucketsInCombine = 0, steps = 0
    /// Seconds spent copying gradients into and out of the buckets, and waiting in `combine` for
    /// all-reduces to finish (communication that the backward pass did not hide), over the run.
    public private(set) var copySeconds = 0.0, waitSeconds = 0.0

    /// One line on how the gradients travelled, for the end of a run.
    public var summary: String {
        guard steps > 0 else { return "no gradients all-reduced" }
        let per = Double(bucketsDuringBackward + bucketsInCombine) / Double(steps)
        let n = Double(steps)
        return String(format: "gradients all-reduced over %d ranks in %.1f bucket(s) of ≤ %d floats per step, %.1f started during the backward pass; "
                      + "per step %.1f ms copying, %.1f ms waiting after the backward pass",
                      world.size, per, bucketFloats, Double(bucketsDuringBackward) / n, 1e3 * copySeconds / n, 1e3 * waitSeconds / n)
    }

    public init(world: MPIWorld, bucketFloats: Int = 1 << 20) {
        precondition(bucketFloats > 0, "[MPIGradientReducer] bucket size \(bucketFloats)")
        (self.world, self.bucketFloats) = (world, bucketFloats)
    }

    public func gradientReady(name: String, tensor parameter: Tensor) {
        guard let grad = parameter.grad else { return }
        bucket.append(parameter)
        bucketCount += grad.count
        if bucketCount >= bucketFloats {
            start()
            bucketsDuringBackward += 1
        }
        for flight in inFlight { flight.reduction.test() }
    }

    public func combine(_ parameters: [(name: String, tensor: Tensor)]) {
        if !bucket.isEmpty { start(); bucketsInCombine += 1 }
        // Parameters never reported (unused in this step's graph) but holding a gradient.
        for (_, p) in parameters where p.grad != nil && !reduced.contains(ObjectIdentifier(p)) {
            bucket.append(p)
        }
        if !bucket.isEmpty { start(); bucketsInCombine += 1 }
        let scale = 1 / Float(world.size)
        for (params, reduction) in inFlight {
            let waitStart = Date()
            reduction.wait()
            let copyStart = Date()
            waitSeconds += copyStart.timeIntervalSince(waitStart)
            defer { copySeconds += Date().timeIntervalSince(copyStart) }
            let buffer = reduction.buffer
            for i in buffer.indices { buffer[i] *= scale }
            var offset = 0
            for p in params {
                let g = p.grad!
                let averaged = UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + g.count)])
                if g.layout == .plain && g.dtype == .float32 {
                    // Straight from the bucket into the gradient's storage (host or device).
                    Backend.current.copyFromHost(UnsafeRawBufferPointer(averaged), into: g.storage, byteOffset: 0)
                    g.markModified()
                } else {
                    p.grad = Tensor(shape: g.shape, scalars: Array(averaged)).inLayout(g.layout)
                }
                offset += g.count
            }
        }
        inFlight = []
        reduced = []
        steps += 1
    }

    /// Copies the bucket's gradients into one buffer and starts its all-reduce.
    private func start() {
        let copyStart = Date()
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: bucket.reduce(0) { $0 + $1.grad!.count })
        var offset = 0
        for p in bucket {
            let g = p.grad!
            let slot = UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + g.count)])
            if g.layout == .plain && g.dtype == .float32 {
                Backend.current.copyToHost(g.storage, byteOffset: 0, into: UnsafeMutableRawBufferPointer(slot))
            } else {
                _ = slot.initialize(from: g.scalars)
            }
            offset += g.count
            reduced.insert(ObjectIdentifier(p))
        }
        copySeconds += Date().timeIntervalSince(copyStart)
        inFlight.append((bucket, MPIWorld.Reduction(world: world, buffer: buffer)))
        bucket = []
        bucketCount = 0
    }

    public func combine(_ value: Float) -> Float {
        Float(world.sum([Double(value)])[0] / Double(world.size))
    }

    public func combineStop(_ local: Bool) -> Bool { world.any(local) }

    public func combine(runningStatistics: [(name: String, tensor: Tensor)]) {
        guard !runningStatistics.isEmpty else { return }
        let sums = world.sum(runningStatistics.flatMap { $0.tensor.scalars.map(Double.init) })
        let n = Double(world.size)
        var offset = 0
        for (_, t) in runningStatistics {
            t.assign(sums[offset..<(offset + t.count)].map { Float($0 / n) })
            offset += t.count
        }
    }

    public func sum(_ values: [Double]) -> [Double] { world.sum(values) }
}
