import CMPIShim
#if canImport(Glibc)
import Glibc
#endif

/// The ranks of an MPI job (`MPI_COMM_WORLD`), joined once per process. Every collective here
/// is called by every rank in the same order (see `GradientReducer`). An MPI error is not
/// recoverable in a data-parallel run (the ranks would disagree on what happened): it stops the
/// whole job through `abort`, naming this rank and the call.
public final class MPIWorld: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    public let launch: MPILaunch

    /// The world of this process, once joined.
    nonisolated(unsafe) public private(set) static var current: MPIWorld?

    /// Joins the job: `MPI_Init_thread`, errors returned as codes. Call once, only when
    /// `MPILaunch.detect` found a launcher.
    public static func join(_ launch: MPILaunch) throws -> MPIWorld {
        precondition(current == nil, "[MPIWorld] joined twice")
        var rank: Int32 = 0, size: Int32 = 0
        let code = unet_mpi_init(&rank, &size)
        guard code == unet_mpi_success else {
            throw MPILaunch.Problem(description: "started by \(launch.launcher), but MPI_Init failed: \(MPIWorld.text(of: code))")
        }
        let world = MPIWorld(rank: Int(rank), size: Int(size), launch: launch)
        current = world
        return world
    }

    private init(rank: Int, size: Int, launch: MPILaunch) {
        (self.rank, self.size, self.launch) = (rank, size, launch)
    }

    /// Stops every rank of the job: prints `rank R: message` on this rank's standard error, then
    /// `MPI_Abort`, whose launcher kills the other ranks (also those waiting in a collective).
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        let line = "rank \(rank): \(message)\n"
        fputs(line, stderr)
        fflush(stderr)
        unet_mpi_abort(code)
        exit(code)
    }

    /// Leaves the job after every rank has arrived here (a barrier, then `MPI_Finalize`): a rank
    /// that exits first would have the launcher stop the others, maybe while rank 0 still saves.
    public func finish() {
        guard unet_mpi_active() != 0 else { return }
        // Output still buffered at MPI_Finalize can be lost on the way to mpirun's pipes.
        fflush(stdout)
        fflush(stderr)
        check(unet_mpi_finalize(), "MPI_Finalize")
    }

    func check(_ code: Int32, _ call: @autoclosure () -> String) {
        if code != unet_mpi_success { abort("\(call()) failed: \(MPIWorld.text(of: code))") }
    }

    static func text(of code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        unet_mpi_error_text(code, &buffer, Int32(buffer.count))
        return String(cString: buffer)
    }

    // MARK: Collectives (blocking, in place)

    /// Element-wise sums over the ranks (in double precision: counts stay exact below 2^53).
    public func sum(_ values: [Double]) -> [Double] {
        guard size > 1, !values.isEmpty else { return values }
        var v = values
        check(v.withUnsafeMutableBufferPointer { unet_mpi_allreduce_sum_double($0.baseAddress, Int32($0.count)) }, "MPI_Allreduce (\(values.count) doubles)")
        return v
    }

    /// Element-wise sums of floats over the ranks.
    public func sum(_ values: [Float]) -> [Float] {
        guard size > 1, !values.isEmpty else { return values }
        var v = values
        check(v.withUnsafeMutableBufferPointer { unet_mpi_allreduce_sum_float($0.baseAddress, Int32($0.count)) }, "MPI_Allreduce (\(values.count) floats)")
        return v
    }

    /// True on every rank when any rank passes true.
    public func any(_ local: Bool) -> Bool { maximum(local ? 1 : 0) != 0 }

    /// The largest of the ranks' values.
    public func maximum(_ local: Int32) -> Int32 {
        guard size > 1 else { return local }
        var v: [Int32] = [local]
        check(v.withUnsafeMutableBufferPointer { unet_mpi_allreduce_max_int($0.baseAddress, 1) }, "MPI_Allreduce (maximum)")
        return v[0]
    }

    /// Every rank's bytes, in rank order (each rank may give a different length).
    public func gather(_ bytes: [UInt8]) -> [[UInt8]] {
        guard size > 1 else { return [bytes] }
        let longest = Int(maximum(Int32(clamping: bytes.count)))
        // Each rank's block: its length (4 bytes, little-endian), then its bytes, padded.
        let block = 4 + longest
        var send = (0..<4).map { UInt8(truncatingIfNeeded: bytes.count >> (8 * $0)) } + bytes
        send += [UInt8](repeating: 0, count: block - send.count)
        var receive = [UInt8](repeating: 0, count: block * size)
        check(send.withUnsafeBytes { s in receive.withUnsafeMutableBytes { r in unet_mpi_allgather_bytes(s.baseAddress, Int32(block), r.baseAddress) } },
              "MPI_Allgather (\(block) bytes)")
        return (0..<size).map { rank in
            let start = rank * block
            let count = (0..<4).reduce(0) { $0 | Int(receive[start + $1]) << (8 * $1) }
            return Array(receive[(start + 4)..<(start + 4 + min(count, longest))])
        }
    }

    /// Waits until every rank has arrived.
    public func barrier() {
        guard size > 1 else { return }
        check(unet_mpi_barrier(), "MPI_Barrier")
    }

    // MARK: Nonblocking all-reduce

    /// An in-place sum of floats over the ranks, in flight. The buffer belongs to the request
    /// until `wait` returns.
    final class Reduction {
        let buffer: UnsafeMutableBufferPointer<Float>
        private var request: OpaquePointer?
        private unowned let world: MPIWorld

        init(world: MPIWorld, buffer: UnsafeMutableBufferPointer<Float>) {
            (self.world, self.buffer) = (world, buffer)
            world.check(unet_mpi_iallreduce_sum_float(buffer.baseAddress, Int32(buffer.count), &request),
                        "MPI_Iallreduce (\(buffer.count) floats)")
        }

        /// Lets MPI move this reduction on (Open MPI progresses nonblocking collectives only
        /// inside MPI calls); true once it has completed.
        @discardableResult
        func test() -> Bool {
            guard let r = request else { return true }
            var done: Int32 = 0
            world.check(unet_mpi_test(r, &done), "MPI_Test")
            if done != 0 { request = nil }
            return done != 0
        }

        /// Blocks until the sums are in `buffer`.
        func wait() {
            guard let r = request else { return }
            request = nil
            world.check(unet_mpi_wait(r), "MPI_Wait (\(buffer.count) floats)")
        }

        deinit {
            wait()
            buffer.deallocate()
        }
    }
}
