extension Image {
    /// Decodes PNG, JPEG or TIFF data, detected by its first bytes. JPEGs are turned upright by their
    /// EXIF orientation unless `applyOrientation` is false. `path` only labels errors.
    public static func decode(data: [UInt8], path: String? = nil, limits: DecodeLimits = .default,
                              applyOrientation: Bool = true) throws -> Image {
        let path = path ?? "<memory>"
        let format = try checkedFormat(of: data, path: path)
        let decoded = try CodecBridge.decode(data, format: format, path: path, limits: limits, headerOnly: false)
        guard let image = decoded.image else {
            throw ImageError.corrupt(path: path, format: format, message: "decoder returned no image")
        }
        return applyOrientation ? image.applyingEXIFOrientation(decoded.info.orientation) : image
    }

    /// Reads and decodes a PNG, JPEG or TIFF file.
    public static func read(contentsOf path: String, limits: DecodeLimits = .default,
                            applyOrientation: Bool = true) throws -> Image {
        try decode(data: FileBytes.read(path, limits: limits), path: path, limits: limits, applyOrientation: applyOrientation)
    }

    static func checkedFormat(of data: [UInt8], path: String) throws -> ImageFormat {
        if data.isEmpty { throw ImageError.emptyFile(path: path) }
        guard let format = ImageFormat.detect(data) else {
            throw ImageError.unknownFormat(path: path, firstBytes: Array(data.prefix(8)))
        }
        return format
    }
}
