/// One thing wrong with a dataset folder, found by `DatasetFolder.problems(...)`.
public enum DatasetProblem: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// An image with no mask of the same base name.
    case imageWithoutMask(image: String)
    /// A mask with no image of the same base name.
    case maskWithoutImage(mask: String)
    /// Several files in one folder share a base name (`a.png` and `a.jpg`), so pairing is ambiguous.
    case duplicateName(name: String, paths: [String])
    /// The image and its mask differ in size (image size after EXIF orientation).
    case sizeMismatch(image: String, imageWidth: Int, imageHeight: Int, mask: String, maskWidth: Int, maskHeight: Int)
    /// The mask is a JPEG, whose lossy compression corrupts class labels.
    case jpegMask(mask: String)
    /// The file could not be read or decoded.
    case undecodable(path: String, reason: String)
    /// The mask decoded but could not be turned into class indices (unknown colour, 16-bit values...).
    case badMask(mask: String, reason: String)
    /// A mask value is not below the number of classes.
    case classOutOfRange(mask: String, value: Int, x: Int, y: Int, classCount: Int)
    /// The classes of the dataset's masks (`values`, ascending) are no plausible class-index
    /// encoding (see `MaskValueSurvey.problem`); `uses` lists the rarest values with the masks
    /// that hold them. `masks` names the masks folder(s).
    case implausibleMaskValues(masks: String, values: [Int], reason: String, uses: [MaskValueSurvey.Use])
    /// Neither folder holds an image file, so there is nothing to pair.
    case noPairs(images: String, masks: String)

    /// The file the problem is about (for a size mismatch: the mask).
    public var path: String {
        switch self {
        case .imageWithoutMask(let p), .maskWithoutImage(let p), .jpegMask(let p), .undecodable(let p, _),
             .badMask(let p, _), .classOutOfRange(let p, _, _, _, _):
            return p
        case .duplicateName(_, let paths): return paths.first ?? ""
        case .implausibleMaskValues(let masks, _, _, _): return masks
        case .noPairs(let images, _): return images
        case .sizeMismatch(_, _, _, let mask, _, _): return mask
        }
    }

    /// `path: reason`, one line.
    public var description: String {
        switch self {
        case .imageWithoutMask(let image):
            return "\(image): image has no mask"
        case .maskWithoutImage(let mask):
            return "\(mask): mask has no image"
        case .duplicateName(let name, let paths):
            return "\(paths.joined(separator: ", ")): several files share the name \"\(name)\""
        case .sizeMismatch(let image, let iw, let ih, let mask, let mw, let mh):
            return "\(mask): mask is \(mw)x\(mh) but its image \(image) is \(iw)x\(ih)"
        case .jpegMask(let mask):
            return "\(mask): lossy JPEG masks corrupt class labels; convert to PNG"
        case .undecodable(let path, let reason):
            return "\(path): \(reason)"
        case .badMask(let mask, let reason):
            return "\(mask): \(reason)"
        case .classOutOfRange(let mask, let value, let x, let y, let classCount):
            return "\(mask): class \(value) at pixel (\(x), \(y)) is not below the class count \(classCount)"
        case .implausibleMaskValues(let masks, let values, let reason, let uses):
            func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
            var lines = ["\(masks): mask values \(MaskValueSurvey.ranges(values)) \(reason):"]
            for use in uses {
                let more = use.masks > use.examples.count ? ", … \(use.masks - use.examples.count) more" : ""
                lines.append("    \(use.value): \(count(use.pixels, "pixel")) in \(count(use.masks, "mask")) (\(use.examples.joined(separator: ", "))\(more))")
            }
            if values.count > uses.count { lines.append("    (and \(count(values.count - uses.count, "more value")))") }
            return lines.joined(separator: "\n")
        case .noPairs(let images, let masks):
            return "\(images), \(masks): no image/mask pairs found (neither folder holds a .png, .jpg, .jpeg, .tif or .tiff file)"
        }
    }
}
