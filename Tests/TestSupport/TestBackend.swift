import CPUBackend
import Foundation
import Tensors

/// The compute backend tests run on, chosen like the tool chooses it: `UNET_TEST_BACKEND`
/// names it (`cpu`, the oneDNN backend, by default); an unknown name stops the tests.
public enum TestBackend {
    /// Chooses the backend once per process (later calls keep it).
    public static func install() {
        if Backend.isChosen { return }
        Backend.use(named(ProcessInfo.processInfo.environment["UNET_TEST_BACKEND"] ?? "cpu"))
    }

    /// The backend called `name`.
    public static func named(_ name: String) -> ComputeBackend {
        switch name {
        case "cpu": return CPUBackend.shared
        default: fatalError("UNET_TEST_BACKEND=\(name): unknown backend (known: cpu)")
        }
    }
}
