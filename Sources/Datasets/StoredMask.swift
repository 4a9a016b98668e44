import ImageCodecs

/// A mask's values as stored in its file, before the dataset's `MaskEncoding` says what gray
/// levels mean. Palette indices and class-map colours are classes already; gray levels (also
/// gray stored as RGB) are open to interpretation.
public struct StoredMask: Sendable, Equatable {
    /// The file, for errors.
    public let path: String
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// One value per pixel, row-major: a gray level when `isGray`, else a class index.
    public let values: [UInt8]
    /// Whether `values` are gray levels (read through the dataset's encoding).
    public let isGray: Bool

    /// Reads a mask file. JPEG masks are refused (lossy compression corrupts labels); decode
    /// problems throw `ImageError`, value problems `DatasetError.badMask`.
    public static func read(contentsOf path: String, classMap: ClassMap? = nil,
                            limits: DecodeLimits = .default) throws -> StoredMask {
        if try ImageInfo.read(contentsOf: path, limits: limits).format == .jpeg {
            throw DatasetError.badMask(path: path, reason: Mask.jpegReason)
        }
        return try StoredMask(image: Image.read(contentsOf: path, limits: limits), path: path, classMap: classMap)
    }

    /// The values of a decoded mask image:
    /// - palette PNG: the palette index (a class);
    /// - gray (alpha ignored): the gray level; 16-bit levels must be below 256;
    /// - RGB/RGBA (alpha ignored): each colour goes through `classMap` (a class); a colour not in
    ///   the map is an error naming the colour and a pixel. Without a map an RGB mask must be
    ///   gray (R = G = B) and gives gray levels.
    public init(image: Image, path: String, classMap: ClassMap? = nil) throws {
        let (w, h, c) = (image.width, image.height, image.channels)
        func position(_ pixel: Int) -> String { "(\(pixel % w), \(pixel / w))" }
        self.path = path
        self.width = w
        self.height = h

        if image.isIndexed, let indices = image.uint8Samples {
            values = indices
            isGray = false
            return
        }
        var values = [UInt8](repeating: 0, count: w * h)
        if image.sampleType == .float32 {
            throw DatasetError.badMask(path: path, reason: "32-bit float masks are not class indices; save as 8- or 16-bit")
        }
        if c >= 3 {
            if image.sampleType == .uint16 {
                throw DatasetError.badMask(path: path, reason: "16-bit colour masks are not supported; save as 8-bit RGB")
            }
            let s = image.to8Bit().uint8Samples!
            for p in 0..<(w * h) {
                let (r, g, b) = (s[p * c], s[p * c + 1], s[p * c + 2])
                if let classMap {
                    guard let index = classMap.classIndex(r: r, g: g, b: b) else {
                        throw DatasetError.badMask(path: path,
                            reason: "colour (\(r), \(g), \(b)) at pixel \(position(p)) is not in the class map")
                    }
                    values[p] = index
                } else {
                    guard r == g && g == b else {
                        throw DatasetError.badMask(path: path,
                            reason: "RGB mask with colour (\(r), \(g), \(b)) at pixel \(position(p)) needs a class map (classes.json)")
                    }
                    values[p] = r
                }
            }
            self.values = values
            isGray = classMap == nil
            return
        }
        // Gray or gray+alpha: channel 0.
        switch image.samples {
        case .uint8(let s):
            for p in 0..<(w * h) { values[p] = s[p * c] }
        case .uint16(let s):
            for p in 0..<(w * h) {
                guard s[p * c] < 256 else {
                    throw DatasetError.badMask(path: path,
                        reason: "16-bit mask value \(s[p * c]) at pixel \(position(p)) is not a class index (must be below 256)")
                }
                values[p] = UInt8(s[p * c])
            }
        case .float32:
            preconditionFailure("[StoredMask] float masks are refused above")
        }
        self.values = values
        isGray = true
    }

    /// The mask's classes under the dataset's encoding (which applies to gray levels only).
    public func decoded(_ encoding: MaskEncoding) throws -> Mask {
        Mask(width: width, height: height,
             classes: isGray ? try encoding.classes(fromGray: values, width: width, path: path) : values)
    }

    /// Pixels per stored value (256 entries).
    public var valueCounts: [Int] {
        var counts = [Int](repeating: 0, count: 256)
        for v in values { counts[Int(v)] += 1 }
        return counts
    }
}
