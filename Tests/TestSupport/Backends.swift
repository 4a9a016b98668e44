import Foundation
import CPUBackend
import CUDABackend
import ReferenceBackend
import Tensors

/// The backends the tests compare. The backend under test is chosen by the environment variable
/// `UNET_TEST_BACKEND` (`cpu`, the default: the oneDNN backend; `reference`; `cuda` or `cuda:N`, an
/// NVIDIA GPU); the oracle is always the reference backend. An unknown name, or `cuda` where no
/// GPU stack works, stops the test run: a typo or a missing GPU must not test the default.
public enum Backends {
    /// The oneDNN backend.
    public static var cpu: ComputeBackend { CPUBackend.shared }

    /// The plain-loop oracle. It holds no state, so one instance serves every test.
    nonisolated(unsafe) public static let reference: ComputeBackend = ReferenceBackend()

    public static let names = ["cpu", "reference", "cuda", "cuda:N"]

    /// The CUDA backend of GPU `ordinal` (opened on first use only: nothing of CUDA loads otherwise).
    public static func cuda(_ ordinal: Int = 0) -> ComputeBackend {
        do { return try CUDABackend.open(ordinal: ordinal) } catch { fatalError("UNET_TEST_BACKEND=cuda:\(ordinal): \(error)") }
    }

    public static func named(_ name: String) -> ComputeBackend {
        switch name {
        case "cpu": return cpu
        case "reference": return reference
        case "cuda": return cuda(0)
        case _ where name.hasPrefix("cuda:") && Int(name.dropFirst(5)) != nil: return cuda(Int(name.dropFirst(5))!)
        default: fatalError("UNET_TEST_BACKEND=\(name): unknown backend (known: \(names.joined(separator: ", ")))")
        }
    }

    /// The name from `UNET_TEST_BACKEND`, `cpu` when unset.
    public static var underTestName: String { ProcessInfo.processInfo.environment["UNET_TEST_BACKEND"] ?? "cpu" }

    public static var underTest: ComputeBackend { named(underTestName) }

    /// Why this machine's CPU backend refuses bf16 convolutions, or nil where it runs them.
    public static var cpuBF16Problem: String? { BF16Instructions.detected.problem }

    /// Runs `body` with `Backend.current` set to `backend`, restoring the previous one afterwards.
    /// Ops capture the backend when they run forward, so a tape recorded here is pulled back on
    /// the same backend even if `backward` is called later.
    public static func with<R>(_ backend: ComputeBackend, _ body: () throws -> R) rethrows -> R {
        TestBackend.install()
        let saved = Backend.current
        Backend.use(backend)
        defer { Backend.use(saved) }
        return try body()
    }
}
