import ImageCodecs

extension Mask {
    /// Reads a mask file. JPEG masks are refused (lossy compression corrupts labels); decode
    /// problems throw `ImageError`, value problems `DatasetError.badMask`. See `init(image:path:classMap:)`.
    public static func read(contentsOf path: String, classMap: ClassMap? = nil,
                            limits: DecodeLimits = .default) throws -> Mask {
        if try ImageInfo.read(contentsOf: path, limits: limits).format == .jpeg {
            throw DatasetError.badMask(path: path, reason: Mask.jpegReason)
        }
        return try Mask(image: Image.read(contentsOf: path, limits: limits), path: path, classMap: classMap)
    }

    static let jpegReason = "lossy JPEG masks corrupt class labels; convert to PNG"

    /// Class indices from a decoded mask image:
    /// - palette PNG: the palette index is the class;
    /// - gray (alpha ignored): the value is the class, except that a mask whose values are all
    ///   0 or 255 (with some 255) is binary and becomes 0/1; 16-bit values must be below 256;
    /// - RGB/RGBA (alpha ignored): each colour goes through `classMap`; a colour not in the map
    ///   is an error naming the colour and a pixel. Without a map an RGB mask must be gray (R = G = B).
    public init(image: Image, path: String, classMap: ClassMap? = nil) throws {
        let (w, h, c) = (image.width, image.height, image.channels)
        func position(_ pixel: Int) -> String { "(\(pixel % w), \(pixel / w))" }

        if image.isIndexed, let indices = image.uint8Samples {
            self.init(width: w, height: h, classes: indices)
            return
        }
        if c >= 3 {
            let s = image.to8Bit().uint8Samples!
            if image.sampleType == .uint16 {
                throw DatasetError.badMask(path: path, reason: "16-bit colour masks are not supported; save as 8-bit RGB")
            }
            var classes = [UInt8](repeating: 0, count: w * h)
            if let classMap {
                for p in 0..<(w * h) {
                    let (r, g, b) = (s[p * c], s[p * c + 1], s[p * c + 2])
                    guard let index = classMap.classIndex(r: r, g: g, b: b) else {
                        throw DatasetError.badMask(path: path,
                            reason: "colour (\(r), \(g), \(b)) at pixel \(position(p)) is not in the class map")
                    }
                    classes[p] = index
                }
                self.init(width: w, height: h, classes: classes)
                return
            }
            for p in 0..<(w * h) {
                let (r, g, b) = (s[p * c], s[p * c + 1], s[p * c + 2])
                guard r == g && g == b else {
                    throw DatasetError.badMask(path: path,
                        reason: "RGB mask with colour (\(r), \(g), \(b)) at pixel \(position(p)) needs a class map (classes.json)")
                }
                classes[p] = r
            }
            self.init(width: w, height: h, classes: Mask.binaryToUnit(classes))
            return
        }
        // Gray or gray+alpha: channel 0.
        var classes = [UInt8](repeating: 0, count: w * h)
        switch image.samples {
        case .uint8(let s):
            for p in 0..<(w * h) { classes[p] = s[p * c] }
        case .uint16(let s):
            for p in 0..<(w * h) {
                guard s[p * c] < 256 else {
                    throw DatasetError.badMask(path: path,
                        reason: "16-bit mask value \(s[p * c]) at pixel \(position(p)) is not a class index (must be below 256)")
                }
                classes[p] = UInt8(s[p * c])
            }
        }
        self.init(width: w, height: h, classes: Mask.binaryToUnit(classes))
    }

    /// 0/255 binary masks become 0/1; anything else is unchanged.
    static func binaryToUnit(_ classes: [UInt8]) -> [UInt8] {
        var sawHigh = false
        for v in classes {
            if v == 255 { sawHigh = true } else if v != 0 { return classes }
        }
        return sawHigh ? classes.map { $0 == 255 ? 1 : 0 } : classes
    }
}
