import ArgumentParser
import Training

extension TestTimeAugmentation: ExpressibleByArgument {}

/// Test-time augmentation flags shared by `predict` and `evaluate --model`.
struct TestTimeOptions: ParsableArguments {
    @Option(help: "Average predictions over symmetric copies: flips (4 passes) or dihedral (8: flips and quarter turns); default none.")
    var tta: TestTimeAugmentation?
    @Flag(name: .customLong("flip-average"), help: "Same as --tta flips.")
    var flipAverage = false

    func validate() throws {
        if flipAverage, let tta, tta != .flips {
            throw ValidationError("--flip-average means --tta flips; it contradicts --tta \(tta.rawValue)")
        }
    }

    var augmentation: TestTimeAugmentation { tta ?? (flipAverage ? .flips : .none) }
}
