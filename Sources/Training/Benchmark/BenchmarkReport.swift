import Foundation
import NN
import Tensors

/// The results of `unet bench`: a human table and one JSON object whose keys stay stable
/// (`train_step_ms`, `infer_ms`, `peak_rss_mb`, `gflops_train`, `gflops_infer`; Tools/bench reads
/// them, and Tools/bench_torch.py writes the same keys for PyTorch and onnxruntime).
public struct BenchmarkReport {
    public var configuration: UNetConfiguration
    public var inputSize: Int
    public var batch: Int
    public var threads: Int
    public var warmup: Int
    /// The convolutions' arithmetic.
    public var precision = Precision.fp32
    /// Training steps, nil when not measured.
    public var training: TimingSummary?
    /// Inference passes, nil when not measured.
    public var inference: TimingSummary?
    /// Peak resident set size of the whole process (VmHWM), MiB.
    public var peakRSS: Double?
    /// The machine's SGEMM rate measured in the same process, GFLOP/s.
    public var sgemmRate: Double?
    /// What ran the network (the backend's words).
    public var implementation = "unet (Swift, oneDNN)"
    /// A device backend's peak memory, MiB: what its allocator took from the device (tensors and
    /// its cache), and the most its tensors held at once.
    public var peakDeviceReserved: Double?
    public var peakDeviceLive: Double?
    /// The CPU backend's own account: the instruction set oneDNN ran on, the activation layout, and
    /// the reference (unoptimised) kernels it executed, "kind implementation" → executions.
    public var cpuInstructionSet: String?
    public var activationLayout: String?
    public var referenceKernels: [String: Int]?
    /// Data-parallel ranks that ran the training steps together (mpirun), each with `batch` inputs.
    public var ranks = 1
    /// Training inputs per second over all ranks, from the median step.
    public var trainingImagesPerSecond: Double? { training.map { Double(batch * ranks) / ($0.median / 1e3) } }

    public init(configuration: UNetConfiguration, inputSize: Int, batch: Int, threads: Int, warmup: Int) {
        self.configuration = configuration
        self.inputSize = inputSize
        self.batch = batch
        self.threads = threads
        self.warmup = warmup
    }

    /// The FLOP-counting convention, in words (printed with the rates).
    public static let flopConvention = "2 FLOPs per multiply-add, convolutions and transposed convolutions only; training step = 3× forward less the backward-data of convolutions reading the input"

    public var outputSize: Int { configuration.outputSize(forInput: inputSize)! }
    public var flops: ConvolutionFLOPs { configuration.convolutionFLOPs(inputSize: inputSize, batch: batch)! }
    public var forwardGFLOP: Double { flops.forward / 1e9 }
    public var trainingGFLOP: Double { flops.trainingStep / 1e9 }
    /// Achieved rate of the median training step, GFLOP/s.
    public var trainingRate: Double? { training.map { trainingGFLOP / ($0.median / 1e3) } }
    /// Achieved rate of the median inference pass, GFLOP/s.
    public var inferenceRate: Double? { inference.map { forwardGFLOP / ($0.median / 1e3) } }

    /// One JSON object, keys sorted; values not measured are null.
    public var json: String {
        let c = configuration
        func opt(_ x: Double?) -> Any { x.map { $0 as Any } ?? NSNull() }
        let object: [String: Any] = [
            "implementation": implementation,
            "peak_device_mib": opt(peakDeviceReserved), "peak_device_live_mib": opt(peakDeviceLive),
            "train_step_ms": opt(training?.median), "train_step_min_ms": opt(training?.min), "train_step_max_ms": opt(training?.max),
            "train_step_samples_ms": training?.samples ?? [],
            "infer_ms": opt(inference?.median), "infer_min_ms": opt(inference?.min), "infer_max_ms": opt(inference?.max),
            "infer_samples_ms": inference?.samples ?? [],
            "peak_rss_mb": opt(peakRSS),
            "gflops_train": opt(trainingRate), "gflops_infer": opt(inferenceRate), "sgemm_gflops": opt(sgemmRate),
            "gflop_forward": forwardGFLOP, "gflop_train_step": trainingGFLOP, "flop_convention": Self.flopConvention,
            "inference_bn": "eval mode, running statistics folded into the convolutions; residual sum and ReLU fused as post-ops",
            "depth": c.depth, "width": c.baseWidth, "width_multiplier": c.widthMultiplier, "padding": c.padding.rawValue,
            "block": c.block.rawValue, "upsampling": c.upsampling.rawValue, "batch_norm": c.batchNorm, "dropout": Double(c.dropout),
            "input_channels": c.inputChannels, "classes": c.classes,
            "size": inputSize, "output_size": outputSize, "batch": batch, "threads": threads, "warmup": warmup,
            "precision": precision.rawValue,
            "ranks": ranks, "train_images_per_s": opt(trainingImagesPerSecond),
            "cpu_isa": cpuInstructionSet.map { $0 as Any } ?? NSNull(),
            "activation_layout": activationLayout.map { $0 as Any } ?? NSNull(),
            "reference_kernels": referenceKernels.map { $0 as Any } ?? NSNull(),
            "reference_kernel_executions": referenceKernels.map { $0.values.reduce(0, +) as Any } ?? NSNull(),
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// A few lines for people.
    public var table: String {
        let c = configuration
        var lines = [
            "U-Net depth \(c.depth), width \(c.baseWidth)×\(String(format: "%g", c.widthMultiplier)), \(c.padding.rawValue) padding, \(c.block.rawValue) blocks, "
                + "\(c.upsampling.rawValue) up-sampling, batch norm \(c.batchNorm ? "on" : "off"), \(c.inputChannels) → \(c.classes) channels",
            "input \(batch)×\(c.inputChannels)×\(inputSize)² → output \(batch)×\(c.classes)×\(outputSize)², \(threads) thread\(threads == 1 ? "" : "s"), \(precision) convolutions, \(warmup) warm-up run\(warmup == 1 ? "" : "s")",
            String(format: "work: %.1f GFLOP forward, %.1f GFLOP per training step (%@)", forwardGFLOP, trainingGFLOP, Self.flopConvention),
            "",
            pad("measure", 26) + pad("median", 12) + pad("min – max", 24) + pad("runs", 6) + "GFLOP/s",
        ]
        func row(_ name: String, _ t: TimingSummary, _ rate: Double?) {
            lines.append(pad(name, 26) + pad(String(format: "%.1f ms", t.median), 12)
                + pad(String(format: "%.1f – %.1f ms", t.min, t.max), 24) + pad("\(t.samples.count)", 6)
                + (rate.map { String(format: "%.1f", $0) } ?? "–"))
        }
        if let training { row("training step", training, trainingRate) }
        if ranks > 1, let rate = trainingImagesPerSecond {
            lines.append(String(format: "data-parallel: %d ranks × batch %d, gradients all-reduced each step: %.2f images/s (GFLOP/s above: one rank's)",
                                ranks, batch, rate))
        }
        if let inference { row("inference (eval, no tape)", inference, inferenceRate) }
        lines.append("")
        if let peakRSS { lines.append(String(format: "peak resident memory: %.0f MiB (VmHWM of this process)", peakRSS)) }
        if let peakDeviceReserved, let peakDeviceLive {
            lines.append(String(format: "peak device memory: %.0f MiB taken from the device, %.0f MiB in tensors at once", peakDeviceReserved, peakDeviceLive))
        }
        if let cpuInstructionSet, let activationLayout, let referenceKernels {
            let reference = referenceKernels.isEmpty ? "no reference kernels"
                : "reference kernels: " + referenceKernels.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            lines.append("oneDNN on \(cpuInstructionSet), activations \(activationLayout), \(reference)")
        }
        if let sgemmRate { lines.append(String(format: "SGEMM 2048² (dnnl_sgemm), same threads: %.1f GFLOP/s", sgemmRate)) }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
