import ImageCodecs

extension DatasetFolder {
    /// Writes a resized copy of the dataset to `out/images` and `out/masks` (`unet preprocess resize`).
    ///
    /// Images are resized with `.smooth` (area averaging when shrinking, bilinear when enlarging)
    /// and keep their file name and format (JPEG re-encoded at quality 95); masks with `.nearest`,
    /// always as PNG, so no class value is invented and a palette is kept. A mask whose size
    /// differs from its image, a JPEG mask or an unreadable file is a problem; the other pairs are
    /// still written. Pairing problems are passed on. `classes.json` and `split.json` are copied.
    public func resized(to target: ResizeTarget, out: String, limits: DecodeLimits = .default,
                        progress: PreprocessProgress? = nil) throws -> PreprocessOutcome {
        let (imagesOut, masksOut) = try Self.makeOutputFolders(out, copyingFrom: self, including: ["classes.json", "split.json"])
        var outcome = PreprocessOutcome(problems: pairingProblems)
        for (k, pair) in pairs.enumerated() {
            defer { progress?(k + 1, pairs.count, pair.name) }
            do {
                let (image, mask) = try Self.readPair(pair, limits: limits)
                let size = target.outputSize(width: image.width, height: image.height)
                let imageFile = String(pair.imagePath.split(separator: "/").last!)
                try image.resized(width: size.width, height: size.height, filter: .smooth)
                    .write(to: PreprocessIO.join(imagesOut, imageFile), jpegQuality: 95)
                try mask.resized(width: size.width, height: size.height, filter: .nearest)
                    .write(to: PreprocessIO.join(masksOut, pair.name + ".png"))
                outcome.written += 1
            } catch {
                outcome.problems += PreprocessIO.problems(from: error, path: pair.imagePath)
            }
        }
        return outcome
    }

    /// Creates `out/images` and `out/masks`, copying the named side files of the dataset root.
    static func makeOutputFolders(_ out: String, copyingFrom folder: DatasetFolder, including files: [String]) throws -> (String, String) {
        let imagesOut = PreprocessIO.join(out, "images"), masksOut = PreprocessIO.join(out, "masks")
        try PreprocessIO.makeDirectory(imagesOut)
        try PreprocessIO.makeDirectory(masksOut)
        if folder.imagesDirectory.hasSuffix("/images") {
            let root = String(folder.imagesDirectory.dropLast("/images".count))
            for file in files { try PreprocessIO.copyIfPresent(file, from: root.isEmpty ? "/" : root, to: out) }
        }
        return (imagesOut, masksOut)
    }

    /// The image (upright, as decoded) and the raw mask image of a pair, checked to be the same size.
    static func readPair(_ pair: SamplePair, limits: DecodeLimits) throws -> (image: Image, mask: Image) {
        let image = try Image.read(contentsOf: pair.imagePath, limits: limits)
        let mask = try PreprocessIO.readMaskImage(pair.maskPath, limits: limits)
        guard image.width == mask.width && image.height == mask.height else {
            throw DatasetError.invalid([.sizeMismatch(image: pair.imagePath, imageWidth: image.width, imageHeight: image.height,
                                                      mask: pair.maskPath, maskWidth: mask.width, maskHeight: mask.height)])
        }
        return (image, mask)
    }
}
