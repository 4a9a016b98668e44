import FileSafety

extension Image {
    /// PNG bytes: 8-bit gray, gray+alpha, RGB, RGBA; 16-bit likewise; or an indexed PNG when
    /// the image has a palette. Lossless: decoding gives back exactly these samples.
    public func pngData() throws -> [UInt8] {
        try CodecBridge.encodePNG(self, path: "<memory>")
    }

    /// TIFF bytes (single page, Deflate): 8-/16-bit or 32-bit float samples, gray, gray+alpha,
    /// RGB, RGBA; a palette image is written as its colours. Lossless.
    public func tiffData() throws -> [UInt8] {
        try CodecBridge.encodeTIFF(self, path: "<memory>")
    }

    /// JPEG bytes at `quality` 1...100 (4:2:0 chroma subsampling as libjpeg's default).
    /// Needs 8-bit gray or RGB: convert with `to8Bit()` and `converted(toChannels:)` first.
    public func jpegData(quality: Int = 90) throws -> [UInt8] {
        precondition((1...100).contains(quality), "[jpegData] quality must be 1...100, got \(quality)")
        return try CodecBridge.encodeJPEG(self, quality: quality, path: "<memory>")
    }

    /// Encodes and writes atomically (temporary file, fsync, rename). With no format given it
    /// comes from the extension (.png, .jpg, .jpeg, .tif, .tiff), defaulting to PNG.
    public func write(to path: String, format: ImageFormat? = nil, jpegQuality: Int = 90) throws {
        let ext = path.split(separator: "/").last.flatMap { $0.contains(".") ? $0.split(separator: ".").last : nil }
        let chosen = format ?? ext.flatMap { ImageFormat(pathExtension: String($0)) } ?? .png
        let bytes: [UInt8]
        do {
            switch chosen {
            case .png: bytes = try pngData()
            case .jpeg: bytes = try jpegData(quality: jpegQuality)
            case .tiff: bytes = try tiffData()
            }
        } catch ImageError.encodingFailed(_, let f, let message) {
            throw ImageError.encodingFailed(path: path, format: f, message: message)
        }
        do {
            try AtomicFile.write(bytes, to: path)
        } catch FileWriteError.notReplaced(_, let step, let message) {
            throw ImageError.unwritable(path: path, reason: "\(step); any previous file is unchanged: \(message)")
        } catch FileWriteError.folderNotSynced(let folder, let operation, let message) {
            throw ImageError.unwritable(path: folder, reason: "\(operation): \(message)")
        }
    }
}
