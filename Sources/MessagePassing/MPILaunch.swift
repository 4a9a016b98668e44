/// How this process was started: alone, or as one rank of a job that an MPI launcher started
/// (`mpirun`/`mpiexec` of Open MPI or MPICH, Slurm's `srun` with a PMI plugin). Read from the
/// environment the launcher sets, before MPI is touched: a plain run never calls `MPI_Init`.
public struct MPILaunch: Equatable, Sendable {
    /// The launcher, in words, for messages ("mpirun", "srun (PMIx)", …).
    public let launcher: String
    /// The number of ranks the launcher says it started, when it says (MPI tells the truth after `MPI_Init`).
    public let size: Int?
    /// Ranks started on this machine, when the launcher says; the default thread count is the
    /// cores divided among them.
    public let localSize: Int?

    public init(launcher: String, size: Int?, localSize: Int?) {
        (self.launcher, self.size, self.localSize) = (launcher, size, localSize)
    }

    /// A launch that cannot work, found from the environment alone.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// The launch described by `environment`: nil for a plain run. Throws when `srun` started
    /// several tasks without a PMI plugin: each would be a world of one, training the same run
    /// on its own.
    public static func detect(_ environment: [String: String]) throws -> MPILaunch? {
        func int(_ key: String) -> Int? { environment[key].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        if let size = int("OMPI_COMM_WORLD_SIZE") {
            return MPILaunch(launcher: "mpirun", size: size, localSize: int("OMPI_COMM_WORLD_LOCAL_SIZE"))
        }
        let slurmLocal = int("SLURM_NTASKS_PER_NODE") ?? int("SLURM_STEP_TASKS_PER_NODE")
        if environment["PMIX_RANK"] != nil {
            let local = int("MPI_LOCALNRANKS") ?? slurmLocal
            return MPILaunch(launcher: environment["SLURM_STEP_ID"] != nil ? "srun (PMIx)" : "a PMIx launcher",
                             size: int("SLURM_STEP_NUM_TASKS"), localSize: local)
        }
        if let size = int("PMI_SIZE") {
            return MPILaunch(launcher: environment["SLURM_STEP_ID"] != nil ? "srun (PMI-2)" : "a PMI launcher",
                             size: size, localSize: int("MPI_LOCALNRANKS") ?? slurmLocal)
        }
        // `SLURM_STEP_NUM_TASKS` is set inside an srun step only (not in the batch script itself).
        if let tasks = int("SLURM_STEP_NUM_TASKS"), tasks > 1, environment["SLURM_STEP_ID"] != nil {
            throw Problem(description: "srun started \(tasks) tasks, but without an MPI plugin they cannot reach each other "
                + "and each would train the same run alone; run with srun --mpi=pmix (see `srun --mpi=list`) or mpirun")
        }
        return nil
    }
}
