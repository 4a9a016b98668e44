import MessagePassing
import XCTest

/// Which environments mean "started by an MPI launcher": a plain run (also inside a Slurm batch
/// script) must never join MPI; srun without an MPI plugin is refused instead of training N copies.
final class MPILaunchTests: XCTestCase {
    func testPlainRunsAreNotLaunches() throws {
        XCTAssertNil(try MPILaunch.detect([:]))
        XCTAssertNil(try MPILaunch.detect(["PATH": "/usr/bin", "HOME": "/root"]))
        // A Slurm batch script (no step) and a one-task srun step are plain runs.
        XCTAssertNil(try MPILaunch.detect(["SLURM_NTASKS": "4", "SLURM_JOB_ID": "17", "SLURM_PROCID": "0"]))
        XCTAssertNil(try MPILaunch.detect(["SLURM_STEP_NUM_TASKS": "1", "SLURM_STEP_ID": "0"]))
    }

    func testOpenMPIMpirun() throws {
        let launch = try XCTUnwrap(MPILaunch.detect(["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "2", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"]))
        XCTAssertEqual(launch, MPILaunch(launcher: "mpirun", size: 4, localSize: 2))
    }

    func testSrunWithPMIxOrPMI2() throws {
        let pmix = try XCTUnwrap(MPILaunch.detect(["PMIX_RANK": "1", "PMIX_NAMESPACE": "slurm.pmix.17.0", "SLURM_STEP_ID": "0",
                                                   "SLURM_STEP_NUM_TASKS": "8", "SLURM_NTASKS_PER_NODE": "4"]))
        XCTAssertEqual(pmix, MPILaunch(launcher: "srun (PMIx)", size: 8, localSize: 4))
        let pmi2 = try XCTUnwrap(MPILaunch.detect(["PMI_SIZE": "2", "PMI_RANK": "0", "SLURM_STEP_ID": "3"]))
        XCTAssertEqual(pmi2, MPILaunch(launcher: "srun (PMI-2)", size: 2, localSize: nil))
        // MPICH's mpiexec (hydra) sets PMI_SIZE and MPI_LOCALNRANKS.
        XCTAssertEqual(try MPILaunch.detect(["PMI_SIZE": "3", "PMI_RANK": "1", "MPI_LOCALNRANKS": "3"]),
                       MPILaunch(launcher: "a PMI launcher", size: 3, localSize: 3))
    }

    func testSrunWithoutAnMPIPluginIsRefused() {
        XCTAssertThrowsError(try MPILaunch.detect(["SLURM_STEP_NUM_TASKS": "4", "SLURM_STEP_ID": "0", "SLURM_PROCID": "1"])) { error in
            XCTAssertTrue("\(error)".contains("srun started 4 tasks"), "\(error)")
            XCTAssertTrue("\(error)".contains("--mpi=pmix"), "\(error)")
        }
    }
}
