/// How `unet preprocess split` chooses the validation names.
public enum SplitMode: String, Sendable, CaseIterable {
    /// A seeded shuffle (`DatasetSplit.random`).
    case random
    /// The last fraction of the names in sorted order: for slice stacks, videos and tiles
    /// (`NAME_rY_cX`), where neighbours look alike and a random split leaks into validation.
    case tail
}
