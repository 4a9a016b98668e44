import ArgumentParser
import Training

/// `--disable flips,rotations,elastic,intensity|all`, parsed when the command line is.
struct DisabledAugmentations: Equatable {
    static let known = ["flips", "rotations", "elastic", "intensity", "all"]
    let names: Set<String>

    static func parse(_ text: String) throws -> DisabledAugmentations {
        let names = Set(text.split(separator: ",").map(String.init))
        if let unknown = names.sorted().first(where: { !known.contains($0) }) {
            throw ValidationError("--disable: unknown augmentation '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        return DisabledAugmentations(names: names)
    }

    /// `o` with these augmentations switched off.
    func apply(to o: inout TrainingOptions) {
        let all = names.contains("all")
        if all || names.contains("flips") { o.flips = false }
        if all || names.contains("rotations") { o.rotations = false }
        if all || names.contains("elastic") { o.elastic = false }
        if all || names.contains("intensity") { o.intensity = false }
    }
}
