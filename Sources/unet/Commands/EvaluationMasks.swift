import Datasets
import Foundation
import ImageCodecs

/// What `unet evaluate --pred DIR --masks DIR` scores: every ground-truth mask with the
/// prediction of the same base name (extra files among the predictions, such as overlays, are
/// ignored). Each side's gray masks are read with the encoding its own masks imply, decided once
/// for the side as training decides it (`MaskValueSurvey`): predictions as `unet predict` writes
/// them (indexed PNG, or 0/255 with `--format gray255`), ground truth as a dataset's masks.
/// Every problem is collected, naming the file and its side, before any is reported.
struct EvaluationMasks {
    var pairs: [(name: String, prediction: Mask, truth: Mask)]
    /// Given, the class map's, or inferred from the ground truth.
    var classCount: Int

    /// Everything wrong with the inputs, one line each.
    struct Problems: Error, CustomStringConvertible {
        var lines: [String]
        var description: String {
            "cannot score: \(lines.count) problem\(lines.count == 1 ? "" : "s"):\n" + lines.map { "  \($0)" }.joined(separator: "\n")
        }
    }

    static func load(predictions: String, truth: String, classCount: Int?, classMap: ClassMap?) throws -> EvaluationMasks {
        // The predictions folder plays the images side of a dataset folder.
        let folder = try DatasetFolder.scan(images: predictions, masks: truth)
        var problems: [String] = []
        for problem in folder.pairingProblems {
            switch problem {
            case .imageWithoutMask:
                continue  // a file among the predictions with no ground truth: ignored
            case .maskWithoutImage(let mask):
                let name = ((mask as NSString).lastPathComponent as NSString).deletingPathExtension
                problems.append("no prediction for ground-truth mask \(mask) (looked for \(name).* in \(predictions))")
            case .noPairs:
                problems.append("\(truth): no ground-truth masks found (no .png, .jpg, .jpeg, .tif or .tiff file), and no predictions in \(predictions)")
            default:
                problems.append("\(problem)")
            }
        }
        if folder.pairs.isEmpty && problems.isEmpty {
            problems.append("\(truth): no ground-truth masks found (no .png, .jpg, .jpeg, .tif or .tiff file)")
        }

        var stored: [(name: String, prediction: StoredMask, truth: StoredMask)] = []
        var predictionSurvey = MaskValueSurvey(), truthSurvey = MaskValueSurvey()
        for pair in folder.pairs {
            let prediction = read(pair.imagePath, side: "prediction", classMap: classMap, problems: &problems)
            let actual = read(pair.maskPath, side: "ground truth", classMap: classMap, problems: &problems)
            if let prediction { predictionSurvey.add(prediction) }
            if let actual { truthSurvey.add(actual) }
            guard let prediction, let actual else { continue }
            guard prediction.width == actual.width && prediction.height == actual.height else {
                problems.append("\(pair.imagePath) (prediction) is \(prediction.width)x\(prediction.height) "
                                + "but its ground truth \(pair.maskPath) is \(actual.width)x\(actual.height)")
                continue
            }
            stored.append((pair.name, prediction, actual))
        }

        // The ground truth defines the classes, as a dataset's masks do for training.
        let given = classCount ?? classMap?.classCount
        let k = given ?? truthSurvey.inferredClassCount
        let hint = given == nil ? " (inferred from the ground truth; give --classes N if there are more)" : ""
        for (survey, side) in [(truthSurvey, "ground truth"), (predictionSurvey, "prediction")] {
            for (_, problem) in survey.outOfRange(classCount: k) {
                guard case .classOutOfRange(let mask, let value, let x, let y, _) = problem else { continue }
                problems.append("\(mask) (\(side)): class \(value) at pixel (\(x), \(y)) is not below the class count \(k)\(hint)")
            }
        }
        if let problem = truthSurvey.problem(classCount: given, masks: truth) { problems.append("\(problem)") }
        if let problem = predictionSurvey.problem(classCount: k, masks: predictions) { problems.append("\(problem)") }
        if !problems.isEmpty { throw Problems(lines: problems) }

        let (predictionEncoding, truthEncoding) = (predictionSurvey.encoding, truthSurvey.encoding)
        let pairs = try stored.map { ($0.name, try $0.prediction.decoded(predictionEncoding), try $0.truth.decoded(truthEncoding)) }
        return EvaluationMasks(pairs: pairs, classCount: k)
    }

    /// The stored mask at `path`, or nil with its problem (naming the side) added.
    private static func read(_ path: String, side: String, classMap: ClassMap?, problems: inout [String]) -> StoredMask? {
        do {
            return try StoredMask.read(contentsOf: path, classMap: classMap)
        } catch DatasetError.badMask(_, let reason) {
            problems.append("\(path) (\(side)): \(reason)")
        } catch let error as ImageError {
            problems.append("\(path) (\(side)): \(error.reason)")
        } catch {
            problems.append("\(path) (\(side)): \(error)")
        }
        return nil
    }
}
