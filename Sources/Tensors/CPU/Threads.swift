import CDNNLShim

/// The number of threads compute primitives use: all cores unless set.
public enum ComputeThreads {
    /// Sets the thread count (call from the thread that runs the model, before computing).
    public static func set(_ n: Int) {
        precondition(n >= 1, "[threads] need at least 1 thread, got \(n)")
        unet_set_num_threads(Int32(n))
    }

    /// The thread count in effect.
    public static var count: Int { Int(unet_max_threads()) }
}
