import ImageCodecs

/// Everything wrong with a dataset, all at once: one folder, or a training folder and its
/// validation folder, whose masks must be read alike. Per pair: pairing, undecodable files,
/// JPEG masks, size mismatches; with `.full`, every mask's values also go into one
/// `MaskValueSurvey`, which decides the dataset's `MaskEncoding` and (without a class count)
/// the class count, and every mask is then checked against them.
public struct DatasetCheck: Sendable {
    /// Every problem: per folder its pairing problems, then per pair in name order; the
    /// dataset-level value problem last.
    public let problems: [DatasetProblem]
    /// The values of every mask that decoded.
    public let survey: MaskValueSurvey
    /// The class count given (or the class map's), if any.
    public let givenClassCount: Int?
    /// The header of every image that could be read, by path (read once here for all of setup).
    public let imageHeaders: [String: ImageHeader]

    /// How the dataset's gray masks are read.
    public var encoding: MaskEncoding { survey.encoding }
    /// The class count: given, the class map's, or one above the largest class present (at least 2).
    public var classCount: Int { givenClassCount ?? survey.inferredClassCount }

    /// Checks `folders` as one dataset; `progress` is told after each pair.
    public init(_ folders: [DatasetFolder], classCount: Int? = nil, classMap: ClassMap? = nil, depth: ValidationDepth = .full,
                limits: DecodeLimits = .default, progress: PreprocessProgress? = nil) {
        let givenClassCount = classCount ?? classMap?.classCount
        var survey = MaskValueSurvey()
        var perPair: [[DatasetProblem]] = []
        var leading: [Int: [DatasetProblem]] = [:]  // pairing problems, before the folder's first pair
        var surveyedPair: [Int: Int] = [:]  // survey entry → pair
        var headers: [String: ImageHeader] = [:]
        let total = folders.reduce(0) { $0 + $1.pairs.count }
        for folder in folders {
            leading[perPair.count, default: []] += folder.pairingProblems
            for pair in folder.pairs {
                let index = perPair.count
                let found = Self.problems(of: pair, classMap: classMap, depth: depth, limits: limits, header: { headers[pair.imagePath] = $0 }) { mask in
                    surveyedPair[survey.entries.count] = index
                    survey.add(mask)
                }
                perPair.append(found)
                progress?(perPair.count, total, pair.name)
            }
        }
        if let givenClassCount {
            for (entry, problem) in survey.outOfRange(classCount: givenClassCount) { perPair[surveyedPair[entry]!].append(problem) }
        }
        var problems: [DatasetProblem] = []
        for k in 0...perPair.count {
            problems += leading[k] ?? []
            if k < perPair.count { problems += perPair[k] }
        }
        let masks = folders.map(\.masksDirectory).joined(separator: ", ")
        if let valueProblem = survey.problem(classCount: givenClassCount, masks: masks) { problems.append(valueProblem) }
        self.problems = problems
        self.survey = survey
        self.givenClassCount = givenClassCount
        self.imageHeaders = headers
    }

    /// The problems of one pair; a mask that decodes goes to `surveyed`.
    private static func problems(of pair: SamplePair, classMap: ClassMap?, depth: ValidationDepth, limits: DecodeLimits,
                                 header: (ImageHeader) -> Void, surveyed: (StoredMask) -> Void) -> [DatasetProblem] {
        var problems: [DatasetProblem] = []
        var imageSize: (Int, Int)?
        var maskSize: (Int, Int)?
        do {
            let info = try ImageInfo.read(contentsOf: pair.imagePath, limits: limits)
            imageSize = (info.orientedWidth, info.orientedHeight)
            header(ImageHeader(info))
            if depth == .full { _ = try Image.read(contentsOf: pair.imagePath, limits: limits) }
        } catch let error as ImageError {
            problems.append(.undecodable(path: pair.imagePath, reason: error.reason))
        } catch {
            problems.append(.undecodable(path: pair.imagePath, reason: "\(error)"))
        }
        do {
            let info = try ImageInfo.read(contentsOf: pair.maskPath, limits: limits)
            if info.format == .jpeg {
                problems.append(.jpegMask(mask: pair.maskPath))
            } else {
                maskSize = (info.width, info.height)
                if depth == .full {
                    let image = try Image.read(contentsOf: pair.maskPath, limits: limits)
                    surveyed(try StoredMask(image: image, path: pair.maskPath, classMap: classMap))
                }
            }
        } catch let error as ImageError {
            problems.append(.undecodable(path: pair.maskPath, reason: error.reason))
        } catch DatasetError.badMask(let path, let reason) {
            problems.append(.badMask(mask: path, reason: reason))
        } catch {
            problems.append(.undecodable(path: pair.maskPath, reason: "\(error)"))
        }
        if let i = imageSize, let m = maskSize, i != m {
            problems.append(.sizeMismatch(image: pair.imagePath, imageWidth: i.0, imageHeight: i.1,
                                          mask: pair.maskPath, maskWidth: m.0, maskHeight: m.1))
        }
        return problems
    }
}
