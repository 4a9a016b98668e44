import Foundation
import CPUBackend
import ReferenceBackend
import Tensors

/// The backends the tests compare. The backend under test is chosen by the environment variable
/// `UNET_TEST_BACKEND` (`cpu`, the default: the oneDNN backend; `reference`); the oracle is always
/// the reference backend. An unknown name stops the test run: a typo must not test the default.
public enum Backends {
    /// The oneDNN backend.
    public static var cpu: ComputeBackend { CPUBackend.shared }

    /// The plain-loop oracle. It holds no state, so one instance serves every test.
    nonisolated(unsafe) public static let reference: ComputeBackend = ReferenceBackend()

    public static let names = ["cpu", "reference"]

    public static func named(_ name: String) -> ComputeBackend {
        switch name {
        case "cpu": return cpu
        case "reference": return reference
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
