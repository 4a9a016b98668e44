import ImageCodecs

/// How deeply `DatasetFolder.problems` looks at each pair.
public enum ValidationDepth: Sendable {
    /// Pairing, JPEG masks and sizes from file headers only (cheap).
    case headers
    /// Everything: also decodes every image and mask and checks each mask value.
    case full
}

extension DatasetFolder {
    /// Every problem in the dataset, collected rather than stopping at the first: pairing,
    /// JPEG masks, undecodable files, size mismatches and (with `.full`) mask values that are not
    /// class indices or not below `classCount` (default: the class map's count, if any).
    public func problems(classCount: Int? = nil, classMap: ClassMap? = nil, depth: ValidationDepth = .full,
                         limits: DecodeLimits = .default) -> [DatasetProblem] {
        var problems = pairingProblems
        let classCount = classCount ?? classMap?.classCount
        for pair in pairs {
            var imageSize: (Int, Int)?
            var maskSize: (Int, Int)?
            do {
                let info = try ImageInfo.read(contentsOf: pair.imagePath, limits: limits)
                imageSize = (info.orientedWidth, info.orientedHeight)
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
                        let mask = try Mask(image: image, path: pair.maskPath, classMap: classMap)
                        if let classCount, let bad = mask.firstOutOfRange(classCount: classCount) {
                            problems.append(.classOutOfRange(mask: pair.maskPath, value: bad.value, x: bad.x, y: bad.y,
                                                             classCount: classCount))
                        }
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
        }
        return problems
    }

    /// Throws `DatasetError.invalid` listing every problem, or returns when there are none.
    public func validate(classCount: Int? = nil, classMap: ClassMap? = nil, depth: ValidationDepth = .full,
                         limits: DecodeLimits = .default) throws {
        let found = problems(classCount: classCount, classMap: classMap, depth: depth, limits: limits)
        if !found.isEmpty { throw DatasetError.invalid(found) }
    }
}
