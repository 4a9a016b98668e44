import CImageCodecs

/// The one place that calls the C shim: turns its codes and messages into `ImageError`s and
/// copies its buffers into Swift arrays, freeing them with `defer`.
enum CodecBridge {
    /// What the decoder reported, before EXIF orientation is applied.
    struct Decoded {
        var image: Image?
        var info: ImageInfo
    }

    static func decode(_ data: [UInt8], format: ImageFormat, path: String, limits: DecodeLimits,
                       headerOnly: Bool) throws -> Decoded {
        var raw = ic_image()
        var message = [CChar](repeating: 0, count: Int(IC_MESSAGE_CAPACITY))
        let cLimits = ic_limits(max_pixels: UInt64(limits.maxPixels),
                                max_dimension: UInt32(clamping: limits.maxDimension))
        let code: Int32 = data.withUnsafeBufferPointer { buffer in
            message.withUnsafeMutableBufferPointer { text in
                switch format {
                case .png:
                    return ic_decode_png(buffer.baseAddress, buffer.count, cLimits, headerOnly ? 1 : 0, &raw, text.baseAddress)
                case .jpeg:
                    return ic_decode_jpeg(buffer.baseAddress, buffer.count, cLimits, headerOnly ? 1 : 0, &raw, text.baseAddress)
                case .tiff:
                    return ic_decode_tiff(buffer.baseAddress, buffer.count, cLimits, headerOnly ? 1 : 0, &raw, text.baseAddress)
                }
            }
        }
        defer { ic_image_free(&raw) }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(code) {
        case Int(IC_OK): break
        case Int(IC_ERR_TOO_LARGE):
            throw ImageError.tooLarge(path: path, width: Int(raw.width), height: Int(raw.height), limits: limits)
        case Int(IC_ERR_UNSUPPORTED):
            throw ImageError.unsupported(path: path, reason: text)
        default:
            throw ImageError.corrupt(path: path, format: format, message: text.isEmpty ? "unknown error \(code)" : text)
        }

        var palette: [RGBA8]?
        if raw.is_palette != 0 {
            palette = withUnsafeBytes(of: raw.palette) { p in
                (0..<Int(raw.palette_count)).map { RGBA8(p[4 * $0], p[4 * $0 + 1], p[4 * $0 + 2], p[4 * $0 + 3]) }
            }
        }
        let sampleType: SampleType = raw.is_float != 0 ? .float32 : raw.bit_depth == 16 ? .uint16 : .uint8
        var info = ImageInfo(format: format, width: Int(raw.width), height: Int(raw.height),
                             channels: Int(raw.channels), sampleType: sampleType,
                             sourceBitDepth: Int(raw.source_bit_depth), isIndexed: raw.is_palette != 0,
                             isInterlaced: raw.is_interlaced != 0, isProgressive: raw.is_progressive != 0,
                             orientation: Int(raw.orientation))
        info.isTiled = raw.is_tiled != 0
        info.isPlanar = raw.is_planar != 0
        if headerOnly { return Decoded(image: nil, info: info) }

        let count = info.width * info.height * info.channels
        let sampleBytes = [SampleType.uint8: 1, .uint16: 2, .float32: 4][sampleType]!
        guard let pixels = raw.pixels, raw.pixel_bytes == count * sampleBytes else {
            throw ImageError.corrupt(path: path, format: format, message: "decoder returned no pixels")
        }
        let image: Image
        switch sampleType {
        case .uint16:
            let samples = Array(UnsafeBufferPointer(start: pixels.assumingMemoryBound(to: UInt16.self), count: count))
            image = Image(width: info.width, height: info.height, channels: info.channels, samples16: samples)
        case .float32:
            let samples = Array(UnsafeBufferPointer(start: pixels.assumingMemoryBound(to: Float.self), count: count))
            image = Image(width: info.width, height: info.height, channels: info.channels, floatSamples: samples)
        case .uint8:
            let samples = Array(UnsafeBufferPointer(start: pixels.assumingMemoryBound(to: UInt8.self), count: count))
            image = Image(width: info.width, height: info.height, channels: info.channels, samples: samples, palette: palette)
        }
        return Decoded(image: image, info: info)
    }

    /// PNG bytes for an image (8- or 16-bit, 1...4 channels, or indexed 8-bit with its palette).
    /// A float image is refused: PNG has no float samples.
    static func encodePNG(_ image: Image, path: String) throws -> [UInt8] {
        if image.sampleType == .float32 {
            throw ImageError.encodingFailed(path: path, format: .png, message: "PNG has no float samples; write TIFF")
        }
        let paletteBytes: [UInt8] = image.palette?.flatMap { [$0.r, $0.g, $0.b, $0.a] } ?? []
        return try encode(path: path, format: .png) { out, size, message in
            paletteBytes.withUnsafeBufferPointer { palette in
                func call(_ pixels: UnsafeRawPointer?, bits: UInt32) -> Int32 {
                    ic_encode_png(pixels, UInt32(image.width), UInt32(image.height), UInt32(image.channels), bits,
                                  palette.baseAddress, UInt32(palette.count / 4), out, size, message)
                }
                switch image.samples {
                case .uint8(let s): return s.withUnsafeBytes { call($0.baseAddress, bits: 8) }
                case .uint16(let s): return s.withUnsafeBytes { call($0.baseAddress, bits: 16) }
                case .float32: return Int32(IC_ERR_ARGUMENT)  // refused above
                }
            }
        }
    }

    /// TIFF bytes (Deflate) for an 8-/16-bit or float image with 1...4 channels; a palette is
    /// expanded to its colours first.
    static func encodeTIFF(_ image: Image, path: String) throws -> [UInt8] {
        let source = image.expandingPalette()
        return try encode(path: path, format: .tiff) { out, size, message in
            func call(_ pixels: UnsafeRawPointer?, bits: UInt32, float: Int32) -> Int32 {
                ic_encode_tiff(pixels, UInt32(source.width), UInt32(source.height), UInt32(source.channels), bits, float,
                               out, size, message)
            }
            switch source.samples {
            case .uint8(let s): return s.withUnsafeBytes { call($0.baseAddress, bits: 8, float: 0) }
            case .uint16(let s): return s.withUnsafeBytes { call($0.baseAddress, bits: 16, float: 0) }
            case .float32(let s): return s.withUnsafeBytes { call($0.baseAddress, bits: 32, float: 1) }
            }
        }
    }

    /// JPEG bytes for an 8-bit gray or RGB image.
    static func encodeJPEG(_ image: Image, quality: Int, path: String) throws -> [UInt8] {
        guard case .uint8(let samples) = image.samples, image.channels == 1 || image.channels == 3, image.palette == nil else {
            preconditionFailure("[jpegData] needs an 8-bit gray or RGB image; convert first (to8Bit, converted(toChannels:))")
        }
        return try encode(path: path, format: .jpeg) { out, size, message in
            samples.withUnsafeBufferPointer {
                ic_encode_jpeg($0.baseAddress, UInt32(image.width), UInt32(image.height), UInt32(image.channels),
                               Int32(quality), out, size, message)
            }
        }
    }

    private static func encode(
        path: String, format: ImageFormat,
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>) -> Int32
    ) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(IC_MESSAGE_CAPACITY))
        let code = message.withUnsafeMutableBufferPointer { body(&out, &size, $0.baseAddress!) }
        defer { ic_buffer_free(out) }
        guard code == IC_OK, let out else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageError.encodingFailed(path: path, format: format, message: text)
        }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
