import Datasets
import NN

extension ModelInfo {
    /// Everything wrong with a model description (from a checkpoint: hostile input), each as
    /// `field path: problem`, e.g. `normalization.std[0] is 0.0; it must be positive`. Empty when
    /// the model can be built and run: sizes are bounded, the per-class lists match the class
    /// count and the normalisation the input channels, and names are safe to print.
    public var problems: [String] {
        var p = configuration.fieldProblems.map { "configuration.\($0.field): \($0.problem)" }
        let classes = configuration.classes
        let classesKnown = (2...UNetConfiguration.maxClasses).contains(classes)
        if classesKnown && classNames.count != classes {
            p.append("classNames has \(classNames.count) names for \(classes) classes")
        }
        var firstIndex: [String: Int] = [:]
        for (i, name) in classNames.prefix(UNetConfiguration.maxClasses + 1).enumerated() {
            if let problem = ClassNameRules.problem(with: name) {
                p.append("classNames[\(i)] \(problem)")
            } else if let first = firstIndex[name] {
                p.append("classNames[\(i)] repeats the name of classNames[\(first)] (\"\(name)\"); each class needs its own")
            } else {
                firstIndex[name] = i
            }
        }
        if classesKnown && palette.count != classes {
            p.append("palette has \(palette.count) colours for \(classes) classes")
        }
        for (i, colour) in palette.prefix(UNetConfiguration.maxClasses + 1).enumerated() where colour.count != 3 {
            p.append("palette[\(i)] has \(colour.count) components; a colour needs 3 (red, green, blue)")
        }
        let channels = configuration.inputChannels
        if (1...UNetConfiguration.maxInputChannels).contains(channels) {
            p += normalization.problems(channels: channels).map { "normalization.\($0.field) \($0.problem)" }
        }
        return p
    }
}
