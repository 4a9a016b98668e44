import CDNNL
import Foundation

/// What oneDNN actually ran: executions counted by primitive kind and implementation name. The
/// backend keeps one (`CPUBackend.implementationRecord`) so that tests and `unet bench` can check
/// from the backend itself, not from log output, that no reference kernel ran in the hot path.
public struct ImplementationRecord: Sendable, Equatable {
    /// A primitive kind (`convolution`, `batch_normalization`, `pooling_v2`, `reorder`, …) and the
    /// implementation oneDNN chose for it (`jit:avx2`, `ref:any`, …).
    public struct Use: Hashable, Sendable, Comparable {
        public let kind: String
        public let implementation: String

        public var isReference: Bool { DNNLPrimitive.isReference(implementation) }

        public static func < (a: Use, b: Use) -> Bool { (a.kind, a.implementation) < (b.kind, b.implementation) }
    }

    /// Executions of each use since the record was last cleared.
    public private(set) var executions: [Use: Int] = [:]

    mutating func count(_ p: DNNLPrimitive) {
        executions[Use(kind: p.kind, implementation: p.implementation), default: 0] += 1
    }

    /// The uses that ran a reference implementation, with their execution counts.
    public var referenceExecutions: [Use: Int] { executions.filter { $0.key.isReference } }

    /// Total executions of reference implementations.
    public var referenceCount: Int { referenceExecutions.values.reduce(0, +) }
}

/// Tells the user, once per operation and shape and on standard error, that oneDNN has only its
/// reference implementation for something this process runs: the silent 10–100× slowdown that
/// made AVX2 machines 200× slower than onnxruntime before layouts followed the CPU.
/// `UNET_QUIET_REFERENCE_KERNELS=1` silences it (tests that provoke a reference kernel on purpose).
enum ReferenceKernelWarning {
    nonisolated(unsafe) private static var told: Set<String> = []
    private static let lock = NSLock()

    static func report(_ p: DNNLPrimitive) {
        if let quiet = getenv("UNET_QUIET_REFERENCE_KERNELS"), String(cString: quiet) == "1" { return }
        let first = lock.withLock { told.insert(p.what).inserted }
        guard first else { return }
        let message = "unet: warning: oneDNN has no optimised kernel for \(p.kind) (\(p.what)) on this CPU "
            + "(\(CPUInstructionSet.effective.name)); it runs its reference implementation \(p.implementation), "
            + "typically 10–100× slower\n"
        fputs(message, stderr)
    }
}

/// The instruction set oneDNN dispatches to: the CPU's best, capped by `ONEDNN_MAX_CPU_ISA`.
public struct CPUInstructionSet: Sendable, Equatable {
    /// oneDNN's name without its `cpu_isa_` prefix: `avx2`, `avx512_core`, `avx512_core_bf16`, …
    public let name: String
    /// Whether 512-bit vectors are available (AVX-512 or later).
    public let hasAVX512: Bool

    public static var effective: CPUInstructionSet {
        let isa = dnnl_get_effective_cpu_isa()
        var name = dnnl_cpu_isa2str(isa).map { String(cString: $0) } ?? "unknown"
        if name.hasPrefix("cpu_isa_") { name.removeFirst(8) }
        let avx512 = (isa.rawValue & dnnl_cpu_isa_avx512_core.rawValue) == dnnl_cpu_isa_avx512_core.rawValue
        return CPUInstructionSet(name: name, hasAVX512: avx512)
    }
}
