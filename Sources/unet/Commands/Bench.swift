import ArgumentParser
import CPUBackend
import CUDABackend
import Foundation
import MessagePassing
import NN
import Tensors
import Training

/// `unet bench`: speed and memory of one network configuration on synthetic data.
struct Bench: ParsableCommand {
    enum Part: String, ExpressibleByArgument, CaseIterable { case all, train, infer }

    static let configuration = CommandConfiguration(
        abstract: "Benchmark training and inference on synthetic data.",
        discussion: """
        Times training steps (forward, cross-entropy, backward, Adam, zeroing gradients) and \
        inference (eval mode, no tape) of the network the model options describe, on random inputs \
        and targets: medians and min–max after warm-up runs, achieved GFLOP/s (convolution FLOPs \
        counted analytically; a training step counts 3× the forward less the \
        backward-data of the convolutions reading the input), the process's peak resident \
        memory and the machine's SGEMM rate. Tools/bench runs it beside PyTorch and onnxruntime. \
        Under mpirun -np N, the training steps are data-parallel (gradients all-reduced over the N \
        ranks) and rank 0 reports the images per second of all ranks together.
        """)

    @OptionGroup(title: "Model") var model: ModelOptions
    @Option(parsing: .unconditional, help: "Number of classes.")
    var classes: Int = 2
    @Option(parsing: .unconditional, help: "Input channels.")
    var channels: Int = 1

    @Option(parsing: .unconditional, help: "Input side (default: the smallest valid size with an output of at least 388, 572 for the paper's network).")
    var size: Int?
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Inputs per step.")
    var batchSize: Int = 1
    @Option(parsing: .unconditional, help: "Timed runs of each measure.")
    var steps: Int = 5
    @Option(parsing: .unconditional, help: "Untimed warm-up runs before the timed ones.")
    var warmup: Int = 1
    @Option(help: "What to measure: all, train or infer (one per process gives each its own peak memory).")
    var only: Part = .all
    @Flag(inversion: .prefixedNo, help: "Measure the machine's SGEMM rate (2048², dnnl_sgemm).")
    var sgemm: Bool = true
    @Option(parsing: .unconditional, help: "Seed of the weights and the synthetic data.")
    var seed: UInt64 = 0
    @Flag(help: "Print one JSON object instead of the table.")
    var json = false
    @OptionGroup(title: "Compute") var compute: ComputeOptions

    var network: UNetConfiguration {
        var c = model.apply(to: UNetConfiguration())
        c.classes = classes
        c.inputChannels = channels
        return c
    }

    var inputSize: Int { size ?? network.inputSize(forOutputAtLeast: 388) }

    func validate() throws {
        let c = network
        if !c.problems.isEmpty { throw ValidationError(c.problems.joined(separator: "; ")) }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        if steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if warmup < 0 { throw ValidationError("--warmup must be at least 0 (got \(warmup))") }
        if let size, !c.isValidInput(size) {
            throw ValidationError("--size \(size) is not a valid input for this network; the nearest valid size is \(c.nearestValidInput(to: size))")
        }
    }

    func run() throws {
        let world = try Ranks.join()
        try Ranks.run(world) { try bench(world) }
    }

    /// Under mpirun, every rank times the same data-parallel training steps (gradients
    /// all-reduced) and inference; rank 0 reports its own times and the ranks' images per second.
    private func bench(_ world: MPIWorld?) throws {
        try compute.activate()
        let threads = compute.threads ?? Ranks.defaultThreads(world) ?? ComputeThreads.count
        try ComputeThreads.set(threads)
        let bench = ModelBenchmark(configuration: network, inputSize: inputSize, batch: batchSize, seed: seed)
        bench.reducer = Ranks.reducer(world)
        var report = BenchmarkReport(configuration: network, inputSize: inputSize, batch: batchSize, threads: threads, warmup: warmup)
        report.precision = Backend.current.convolutionPrecision
        report.ranks = world?.size ?? 1
        let cpu = Backend.current as? CPUBackend
        cpu?.clearImplementationRecord()
        if only != .infer { report.training = bench.timeTraining(warmup: warmup, steps: steps) }
        if only != .train { report.inference = bench.timeInference(warmup: warmup, repeats: steps) }
        report.peakRSS = peakResidentMegabytes()
        if let cpu {
            report.cpuInstructionSet = cpu.instructionSet.name
            report.activationLayout = cpu.activationLayout.description
            report.referenceKernels = Dictionary(uniqueKeysWithValues: cpu.implementationRecord.referenceExecutions.map {
                ("\($0.key.kind) \($0.key.implementation)", $0.value)
            })
        }
        if let memory = Backend.current.deviceMemory {
            report.implementation = "unet (Swift, \(Backend.current.name))"
            report.peakDeviceReserved = Double(memory.peakReservedBytes) / 1_048_576
            report.peakDeviceLive = Double(memory.peakLiveBytes) / 1_048_576
        }
        if sgemm { report.sgemmRate = measureSGEMMRate() }
        if world?.rank ?? 0 == 0 {
            print(json ? report.json : report.table)
            if !json, let mpi = bench.reducer as? MPIGradientReducer { print(mpi.summary + " (warm-up included)") }
        }
    }
}
