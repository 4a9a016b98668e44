import ImageCodecs
import Training

/// How predicted masks are stored.
public enum MaskFormat: String, CaseIterable, Sendable {
    /// Indexed PNG: pixel value = class index, palette colours for viewing.
    case indexed
    /// 8-bit gray 0/255 (binary models only).
    case gray255
    /// 8-bit single-channel TIFF of class indices (NAME.tif); probabilities as 32-bit float TIFFs.
    case tiff

    /// The file format masks and probability maps are written in.
    public var fileFormat: ImageFormat { self == .tiff ? .tiff : .png }
}

/// The images a prediction of one image becomes: the mask, an overlay of it on the image, and a
/// probability map per class. Shared by `unet predict` and the export's cover, so that a mask or
/// an overlay looks the same wherever it is made.
public struct SegmentationImages {
    /// Class probabilities [classes, height, width] and their per-pixel argmax.
    public let probabilities: [Float]
    public let mask: [Int32]
    public let classes: Int, height: Int, width: Int

    public init(probabilities: [Float], classes: Int, height: Int, width: Int) {
        self.probabilities = probabilities
        self.classes = classes
        self.height = height
        self.width = width
        mask = Predictor.argmax(probabilities, classes: classes, height: height, width: width)
    }

    /// The mask as `format` stores it (`palette`: the indexed PNG's colours).
    public func maskImage(_ format: MaskFormat, palette: [RGBA8]) -> Image {
        switch format {
        case .indexed: return Image(width: width, height: height, channels: 1, samples: mask.map { UInt8($0) }, palette: palette)
        case .gray255: return Image(width: width, height: height, channels: 1, samples: mask.map { $0 == 0 ? 0 : 255 })
        case .tiff: return Image(width: width, height: height, channels: 1, samples: mask.map { UInt8($0) })
        }
    }

    /// The mask blended over the planar image `display` (values in [0, 1]) in the model's class
    /// colours; class 0 left transparent for a binary model.
    public func overlay(on display: [Float], channels: Int, palette: [[UInt8]]) -> Image {
        let blended = Overlay.blend(mask: mask, overPlanar: display, channels: channels, height: height, width: width,
                                    palette: ClassPalette(colors: palette.map { RGBColor($0[0], $0[1], $0[2]) }).forOverlay,
                                    alpha: 0.45, backgroundTransparent: classes == 2)
        return Image(width: width, height: height, channels: 3, samples: blended)
    }

    /// Class `c`'s probabilities: 32-bit float for TIFF (exact, for tools that read float TIFF),
    /// else 16-bit gray (steps of 1/65535).
    public func probabilityMap(class c: Int, format: MaskFormat) -> Image {
        let plane = width * height
        if format == .tiff {
            return Image(width: width, height: height, channels: 1, floatSamples: Array(probabilities[(c * plane)..<((c + 1) * plane)]))
        }
        return Image(width: width, height: height, channels: 1,
                     samples16: (0..<plane).map { UInt16(max(0, min(1, probabilities[c * plane + $0])) * 65535 + 0.5) })
    }
}
