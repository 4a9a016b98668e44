import ArgumentParser
import Foundation
import MessagePassing
import Tensors
import Training

/// This process's place in a job of several processes (`mpirun -np N unet …`, `srun`): joined
/// only when a launcher started it, so a plain run never touches MPI.
enum Ranks {
    /// Joins the MPI job when a launcher started this process; nil in a plain run.
    static func join() throws -> MPIWorld? {
        guard let launch = try MPILaunch.detect(ProcessInfo.processInfo.environment) else { return nil }
        return try MPIWorld.join(launch)
    }

    /// Runs `body` as this rank's part of the job. An error on any rank stops every rank, at
    /// once: `rank R: cause` on that rank's standard error, then `MPI_Abort` (the others may be
    /// waiting in a collective that this rank will never join). A stop by signal (`ExitCode`)
    /// happens on every rank at the same step, so they leave together.
    static func run(_ world: MPIWorld?, _ body: () throws -> Void) throws {
        guard let world else { return try body() }
        do {
            try body()
        } catch let code as ExitCode {
            world.finish()
            throw code
        } catch let agreed as AgreedFailure {
            // Every rank knows: they leave together; the rank that holds the cause reports it.
            world.finish()
            throw agreed.cause ?? ExitCode(1)
        } catch {
            if world.size > 1 { world.abort(String(describing: error)) }
            world.finish()
            throw error
        }
        world.finish()
    }

    /// A failure that every rank has learnt of through a collective (rank 0's refusal to write
    /// into an output folder, say): no abort is needed. `cause` is nil on the ranks that did not
    /// fail themselves; they leave silently with status 1.
    struct AgreedFailure: Error {
        let cause: Error?
        init(_ cause: Error?) { self.cause = cause }
    }

    /// The gradient reducer of this process: MPI's across the ranks, or a world of one.
    /// `UNET_ALLREDUCE_BUCKET_FLOATS` sets the bucket size (a tuning knob; the tests use small
    /// buckets so that tiny networks exercise the all-reduces started during the backward pass).
    static func reducer(_ world: MPIWorld?) -> GradientReducer {
        guard let world, world.size > 1 else { return LocalGradients() }
        if let text = ProcessInfo.processInfo.environment["UNET_ALLREDUCE_BUCKET_FLOATS"], let floats = Int(text), floats > 0 {
            return MPIGradientReducer(world: world, bucketFloats: floats)
        }
        return MPIGradientReducer(world: world)
    }

    /// Compute threads for a rank when `--threads` is not given: the cores this process may use,
    /// shared among the ranks on this machine (a launcher that binds each rank to its cores has
    /// already made the share).
    static func defaultThreads(_ world: MPIWorld?) -> Int? {
        guard let world, world.size > 1, let local = world.launch.localSize, local > 1 else { return nil }
        let usable = UsableCores.count
        let share = usable < ProcessInfo.processInfo.processorCount ? usable : usable / local
        return min(max(1, share), ComputeThreads.maximum)
    }
}
