import Tensors

/// Chooses the compute backend of a test process, as the tool chooses it at start-up: the one
/// `UNET_TEST_BACKEND` names (`Backends.underTest`; `cpu` by default).
public enum TestBackend {
    /// Chooses the backend once per process (later calls keep the choice).
    public static func install() {
        if !Backend.isChosen { Backend.use(Backends.underTest) }
    }
}
