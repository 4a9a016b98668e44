import ArgumentParser
import CPUBackend
import CUDABackend
import Foundation
import ReferenceBackend
import Tensors

/// The compute device and its thread count.
struct ComputeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Compute device: cpu (oneDNN, default), cuda or cuda:N (an NVIDIA GPU), auto (a working GPU, \
        else cpu; the choice is reported), or reference (plain loops: slow, for checking results).
        """, valueName: "device"))
    var device: DeviceChoice = .cpu
    @Option(parsing: .unconditional, help: "Compute threads (default: the cores this process may use, by its CPU affinity and cgroup quota, less those other processes keep busy at start-up).")
    var threads: Int?
    @Option(help: "Convolution arithmetic: fp32 (default; strict float32 on a GPU too), tf32 (GPU only: TF32 tensor-core convolutions) or bf16 (bfloat16 convolutions where they are faster, float32 weights, optimizer, losses and batch norm; needs a CPU with AVX512_BF16 or AMX, or an NVIDIA GPU of compute capability 8.0 or later).")
    var precision: Precision = .fp32

    func validate() throws {
        if let threads, let problem = ComputeThreads.problem(with: threads) { throw ValidationError("--" + problem) }
    }

    /// Chooses the device for the rest of the process, then its thread count (given, else the usable cores) and
    /// its convolution precision (refused, with the reason, where the device cannot compute in it).
    /// `leavingBusyCores: false` keeps the plain usable-core count (a resumed training run, whose
    /// weights depend on the thread count, must not change it with the machine's momentary load).
    func activate(leavingBusyCores: Bool = true) throws {
        Backend.use(try DeviceSelection.backend(for: device))
        try ComputeThreads.set(threads ?? (leavingBusyCores ? Self.defaultThreads() : min(UsableCores.count, ComputeThreads.maximum)))
        do {
            try Backend.current.setConvolutionPrecision(precision)
        } catch let error as PrecisionUnavailable {
            throw PrecisionUnavailable("--precision \(precision): \(error.description); use --precision fp32")
        }
    }
}

extension ComputeOptions {
    /// The usable cores less those other processes keep busy now; says so when that is fewer.
    static func defaultThreads() -> Int {
        let usable = min(UsableCores.count, ComputeThreads.maximum)
        guard usable > 1 else { return usable }
        let idle = UsableCores.idleCount()
        if idle < usable {
            DeviceSelection.note("unet: \(usable - idle) of \(usable) usable cores are busy with other processes; computing with \(idle) thread\(idle == 1 ? "" : "s") (--threads sets the count)")
        }
        return idle
    }
}

extension Precision: ExpressibleByArgument {}

/// Why the CUDA backend cannot run here (printed after `--device cuda: `).
struct CUDAUnavailable: Error, CustomStringConvertible {
    let description: String
    init(_ reason: String) { description = reason }
}
