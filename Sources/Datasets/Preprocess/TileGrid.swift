import ImageCodecs

/// Where `unet preprocess tile` cuts: tile origins along one axis.
public enum TileGrid {
    /// Origins of `tile`-long windows over `0..<length` stepping by `tile - overlap`; the last
    /// window is moved back to end exactly at the edge, so every index is covered (its overlap
    /// with the previous one may then exceed `overlap`). A length not above `tile` gives `[0]`
    /// (the image is mirror-padded up to the tile size).
    public static func origins(length: Int, tile: Int, overlap: Int) -> [Int] {
        precondition(length > 0 && tile > 0 && overlap >= 0 && overlap < tile,
                     "[TileGrid] length \(length), tile \(tile), overlap \(overlap): need overlap < tile")
        if length <= tile { return [0] }
        var origins = Array(stride(from: 0, to: length - tile, by: tile - overlap))
        origins.append(length - tile)
        return origins
    }
}

extension Image {
    /// The `width × height` window whose top-left corner is (`left`, `top`); positions outside
    /// the image read its mirror reflection (edge not repeated, as `mirrorWindow`). Sample type,
    /// channels and palette are kept.
    public func window(left: Int, top: Int, width: Int, height: Int) -> Image {
        precondition(width > 0 && height > 0, "[window] size \(width)x\(height) must be positive")
        let xs = (0..<width).map { reflectIndex(left + $0, count: self.width) }
        let ys = (0..<height).map { reflectIndex(top + $0, count: self.height) }
        return gathering(rows: ys, columns: xs)
    }
}

extension DatasetFolder {
    /// Cuts every pair into `size × size` tiles overlapping by `overlap` (`unet preprocess tile`),
    /// written as `out/images/NAME_rY_cX.png` (`.tif` for float TIFF images, as PNG has no float
    /// samples) and `out/masks/NAME_rY_cX.png` (Y, X: the tile's
    /// row and column in its grid, zero-padded to the same width within one image so names sort).
    /// Origins come from `TileGrid.origins`, so the last row and column end at the edge and the
    /// whole image is covered. A side shorter than `size` is mirror-padded at its end (bottom or
    /// right) up to `size`, image and mask alike, so every tile has the same size. `written`
    /// counts tiles; `classes.json` is copied (a `split.json` is not: names change).
    public func tiled(size: Int, overlap: Int, out: String, limits: DecodeLimits = .default,
                      progress: PreprocessProgress? = nil) throws -> PreprocessOutcome {
        precondition(size > 0 && overlap >= 0 && overlap < size, "[tiled] size \(size), overlap \(overlap): need 0 <= overlap < size")
        let (imagesOut, masksOut) = try Self.makeOutputFolders(out, copyingFrom: self, including: ["classes.json"])
        var outcome = PreprocessOutcome(problems: pairingProblems)
        for (k, pair) in pairs.enumerated() {
            defer { progress?(k + 1, pairs.count, pair.name) }
            do {
                let (image, mask) = try Self.readPair(pair, limits: limits)
                let rows = TileGrid.origins(length: image.height, tile: size, overlap: overlap)
                let columns = TileGrid.origins(length: image.width, tile: size, overlap: overlap)
                for (r, top) in rows.enumerated() {
                    for (c, left) in columns.enumerated() {
                        let name = Self.tileName(pair.name, row: r, rows: rows.count, column: c, columns: columns.count)
                        // PNG has no float samples: tiles of a float TIFF stay TIFF (they pair by base name).
                        let imageName = image.sampleType == .float32 ? String(name.dropLast(4)) + ".tif" : name
                        try image.window(left: left, top: top, width: size, height: size)
                            .write(to: PreprocessIO.join(imagesOut, imageName), format: image.sampleType == .float32 ? .tiff : .png)
                        try mask.window(left: left, top: top, width: size, height: size)
                            .write(to: PreprocessIO.join(masksOut, name), format: .png)
                        outcome.written += 1
                    }
                }
            } catch {
                outcome.problems += PreprocessIO.problems(from: error, path: pair.imagePath)
            }
        }
        return outcome
    }

    /// `NAME_rY_cX.png`, indices zero-padded to the digits of the largest one.
    public static func tileName(_ name: String, row: Int, rows: Int, column: Int, columns: Int) -> String {
        func padded(_ v: Int, _ count: Int) -> String {
            let digits = String(max(count - 1, 0)).count, s = String(v)
            return String(repeating: "0", count: digits - s.count) + s
        }
        return "\(name)_r\(padded(row, rows))_c\(padded(column, columns)).png"
    }
}
