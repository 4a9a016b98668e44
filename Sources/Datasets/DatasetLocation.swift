/// Where a dataset's pairs are: a folder with `images/` and `masks/` (and maybe `split.json`),
/// or an images folder and a masks folder given apart.
public enum DatasetLocation: Equatable, Sendable {
    case root(String)
    case folders(images: String, masks: String)

    /// The dataset folder, whose `split.json` chooses the validation images; nil for folders given apart.
    public var root: String? {
        if case .root(let root) = self { return root }
        return nil
    }
}
