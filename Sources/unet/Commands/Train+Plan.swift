import ArgumentParser
import Datasets
import Foundation
import MessagePassing
import Tensors
import Training

/// The plan of a new run: a plan file, one made from the data, or none.
extension Train {
    /// The plan of a new run: the file given with --plan, else one made from the data (within
    /// --budget when given, and with the data as it loaded it), else none (--no-plan).
    func makePlan(primary: Bool, ranks: Int) throws -> (plan: TrainingPlan?, data: PreparedData?) {
        if let plan {
            // The data the plan is applied to, compared with the data it was made from.
            let file = try PlanFile.read(plan, lengthGiven: steps != nil || epochs != nil)
            let data = try PreparedData.load(try makeOptions(plan: file), inferClasses: dataOptions.classes == nil)
            for warning in try PlanFit.check(file, path: plan, against: data) where primary {
                FileHandle.standardError.write(Data(("warning: " + warning + "\n").utf8))
            }
            return (file, data)
        }
        if noPlan { return (nil, nil) }
        if budget != nil && ranks > 1 {
            throw CommandFailure("--budget times steps in processes of its own, which cannot run beside \(ranks) ranks; "
                + "plan first (unet plan --budget …), then train with --plan plan.json")
        }
        let unplanned = try makeOptions()
        let say: (String) -> Void = primary ? { print($0); fflush(stdout) } : { _ in }
        let made = try DatasetPlanning.plan(unplanned, inferClasses: dataOptions.classes == nil, budget: budget?.seconds, memoryMB: memory, compute: compute,
                                            quietProgress: !primary, say: say)
        return (made.plan, made.data)
    }
}
