import FileSafety
import Foundation
import Datasets
import Training

/// Reading a plan for `unet train --plan`, and the line that says what it chose.
enum PlanFile {
    /// The plan in `path`, its values checked. `lengthGiven`: the command line gives --steps or
    /// --epochs, so the plan's own step count is not needed.
    static func read(_ path: String, lengthGiven: Bool = false) throws -> TrainingPlan {
        let bytes = try RegularFile.read(path, maxBytes: 4 << 20)
        let plan: TrainingPlan
        do {
            plan = try JSONDecoder().decode(TrainingPlan.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw CommandFailure("--plan \(path) is not a plan written by unet plan: \(error.fieldDescription)")
        } catch {
            throw CommandFailure("--plan \(path) is not a plan written by unet plan (\(error))")
        }
        var problems: [String] = []
        // unet plan always writes the steps its budget fits; null or missing is an edited plan,
        // which used to train the default 50 epochs without a word.
        if plan.steps == nil && !lengthGiven {
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            problems.append("steps \(object?["steps"] is NSNull ? "null" : "missing") (give a number of steps, or --steps/--epochs on the command line)")
        }
        if let steps = plan.steps, !(1...TrainingOptions.maximumSteps).contains(steps) { problems.append("steps \(steps)") }
        if plan.batchSize < 1 { problems.append("batchSize \(plan.batchSize)") }
        if plan.width < 1 { problems.append("width \(plan.width)") }
        if !(1...8).contains(plan.depth) { problems.append("depth \(plan.depth)") }
        if plan.normalize != "dataset" && plan.normalize != "percentile" { problems.append("normalize \"\(plan.normalize.prefix(40))\"") }
        if case .percentile = plan.normalizationScheme,
           let first = InputNormalization(mean: [0], std: [1], scheme: plan.normalizationScheme).problems(channels: 1).first {
            problems.append("percentiles: \(first.problem)")
        }
        if plan.normalize == "percentile" && plan.percentiles?.count != 2 { problems.append("percentiles: two values needed") }
        guard problems.isEmpty else {
            throw CommandFailure("--plan \(path) has values no run can use: \(problems.joined(separator: "; "))")
        }
        return plan
    }

    /// One line of what the plan chose; `path` is the plan file, or nil for a plan made on the fly.
    static func summary(_ p: TrainingPlan, path: String?, overridden: [String]) -> String {
        let augment = [("flips", p.flips), ("rotations", p.rotations), ("elastic", p.elastic), ("intensity", p.intensity)]
            .filter(\.1).map(\.0).joined(separator: ",")
        var line = "plan \(path ?? "(made from the data; --no-plan for the fixed defaults)"): normalize \(p.normalizationScheme.summary), "
            + "depth \(p.depth), width \(p.width), patch \(p.patchSize), batch \(p.batchSize), loss \(p.loss.rawValue), "
            + "augment \(augment.isEmpty ? "none" : augment), sampling \(p.sampling?.rawValue ?? "image")"
            + (p.oversample.map { $0 > 0 ? String(format: ", oversample %.2f", $0) : "" } ?? "")
            + ", steps \(p.steps.map(String.init) ?? "default")"
        if !overridden.isEmpty { line += "; overridden by the command line: " + overridden.joined(separator: ", ") }
        return line
    }
}
