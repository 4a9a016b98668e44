import Foundation
import ImageCodecs

/// Colour-coded masks → index masks (`unet preprocess convert-masks`).
///
/// Every input is read as RGB colours (a palette is expanded to its colours, gray `v` is the
/// colour (v, v, v), alpha is ignored) and each colour goes through the class map; a colour not
/// in the map is a `badMask` problem naming the file, the colour and a pixel. The output is an
/// indexed PNG whose palette holds the class colours, so it stays viewable while its samples
/// are the class indices that `Mask` reads back.
public enum ColorMaskConversion {
    /// Class indices of a colour-coded mask image; `path` labels errors.
    public static func mask(from image: Image, path: String, classMap: ClassMap) throws -> Mask {
        let rgb = image.channels >= 3 && !image.isIndexed ? image : image.converted(toChannels: 3)
        return try Mask(image: rgb, path: path, classMap: classMap)
    }

    /// The palette of the class map: entry `k` is the colour of class `k`, `classCount` entries;
    /// an index the map skips gets black.
    public static func palette(for classMap: ClassMap) -> [RGBA8] {
        var palette = [RGBA8](repeating: RGBA8(0, 0, 0), count: classMap.classCount)
        for e in classMap.entries { palette[e.index] = RGBA8(e.color[0], e.color[1], e.color[2]) }
        return palette
    }

    /// The mask as an indexed image with the class map's colours as palette.
    public static func indexedImage(_ mask: Mask, classMap: ClassMap) -> Image {
        Image(width: mask.width, height: mask.height, channels: 1, samples: mask.classes, palette: palette(for: classMap))
    }

    /// Converts every mask in `masks` (PNG; JPEG masks are refused) to `out/NAME.png`, going on
    /// past bad files and returning all their problems.
    public static func convertFolder(masks: String, classMap: ClassMap, out: String, limits: DecodeLimits = .default,
                                     progress: PreprocessProgress? = nil) throws -> PreprocessOutcome {
        var outcome = PreprocessOutcome()
        let files = try DatasetFolder.listImageFiles(masks, problems: &outcome.problems)
        try PreprocessIO.makeDirectory(out)
        var byName: [String: [String]] = [:]
        for f in files { byName[f.name, default: []].append(f.path) }
        for (k, file) in files.enumerated() {
            defer { progress?(k + 1, files.count, file.name) }
            if let paths = byName[file.name], paths.count > 1 {
                if paths[0] == file.path { outcome.problems.append(.duplicateName(name: file.name, paths: paths)) }
                continue
            }
            do {
                let image = try PreprocessIO.readMaskImage(file.path, limits: limits)
                let mask = try mask(from: image, path: file.path, classMap: classMap)
                try indexedImage(mask, classMap: classMap).write(to: PreprocessIO.join(out, file.name + ".png"))
                outcome.written += 1
            } catch {
                outcome.problems += PreprocessIO.problems(from: error, path: file.path)
            }
        }
        return outcome
    }
}
