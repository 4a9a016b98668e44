import Tensors

/// Cuts a training patch from a sample for a network that maps an `inputSize²` input to an
/// `outputSize²` output (smaller for valid-padding convolutions, equal for same padding).
///
/// The image window is `inputSize × inputSize`; the mask and weight windows are the centred
/// `outputSize × outputSize` part of it, offset by `margin = (inputSize - outputSize) / 2` —
/// the pixels the network actually predicts. Windows reaching outside the sample (for
/// samples smaller than the patch, or near the border) are filled by mirror reflection, the
/// overlap-tile strategy of the U-Net paper.
public struct PatchCrop: Sendable, Equatable {
    /// Side of the image window.
    public var inputSize: Int
    /// Side of the mask/weight window.
    public var outputSize: Int

    /// Creates a crop; `inputSize - outputSize` must be even and non-negative.
    public init(inputSize: Int, outputSize: Int) {
        precondition(outputSize > 0 && inputSize >= outputSize && (inputSize - outputSize) % 2 == 0,
                     "[PatchCrop] input \(inputSize) and output \(outputSize) need input ≥ output > 0 and an even difference")
        self.inputSize = inputSize
        self.outputSize = outputSize
    }

    /// Creates a crop whose mask window equals its image window (same-padding networks).
    public init(size: Int) { self.init(inputSize: size, outputSize: size) }

    /// Offset of the mask window inside the image window.
    public var margin: Int { (inputSize - outputSize) / 2 }

    /// Crops deterministically: the image window's top-left corner is (`inputTop`, `inputLeft`)
    /// in sample coordinates (may be negative or run past the edge: mirrored), the mask and
    /// weight windows start at (`inputTop + margin`, `inputLeft + margin`).
    public func crop(_ sample: Sample, inputTop: Int, inputLeft: Int) -> Sample {
        precondition(sample.labelHeight == sample.height && sample.labelWidth == sample.width,
                     "[PatchCrop] sample is already cropped (labels \(sample.labelHeight)×\(sample.labelWidth))")
        let h = sample.height, w = sample.width
        let image = mirrorWindow(sample.image, channels: sample.channels, height: h, width: w,
                                 top: inputTop, left: inputLeft, outHeight: inputSize, outWidth: inputSize)
        let top = inputTop + margin, left = inputLeft + margin
        return Sample(
            image: image, channels: sample.channels, height: inputSize, width: inputSize,
            mask: sample.mask.map { mirrorWindow($0, channels: 1, height: h, width: w, top: top, left: left,
                                                 outHeight: outputSize, outWidth: outputSize) },
            weights: sample.weights.map { mirrorWindow($0, channels: 1, height: h, width: w, top: top, left: left,
                                                       outHeight: outputSize, outWidth: outputSize) },
            labelHeight: outputSize, labelWidth: outputSize)
    }

    /// Crops at a uniformly random position such that the mask window lies inside the sample
    /// (when the sample is smaller than the mask window, it is centred and mirror-padded).
    public func randomCrop(_ sample: Sample, rng: inout SeededGenerator) -> Sample {
        func start(_ extent: Int) -> Int {
            if extent <= outputSize { return -(outputSize - extent) / 2 }
            return Int(rng.next() % UInt64(extent - outputSize + 1))
        }
        let top = start(sample.height)
        let left = start(sample.width)
        return crop(sample, inputTop: top - margin, inputLeft: left - margin)
    }
}
