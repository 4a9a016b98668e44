extension Image {
    /// The samples as float32 in planar CHW order (`[channels][height][width]`), normalised by
    /// `normalization` (`.unitRange`: divide by 255 or 65535 to get [0, 1]). A palette image
    /// gives its indices; call `expandingPalette()` first for colours.
    public func planarFloats(normalization: Normalization = .unitRange) -> [Float] {
        normalization.check(channels: channels)
        let plane = width * height
        let maxValue = Float(sampleType.maxValue)
        var out = [Float](repeating: 0, count: plane * channels)
        func fill<T: BinaryInteger>(_ s: [T]) {
            for c in 0..<channels {
                for p in 0..<plane {
                    out[c * plane + p] = normalization.forward(Float(s[p * channels + c]), channel: c, maxValue: maxValue)
                }
            }
        }
        switch samples {
        case .uint8(let s): fill(s)
        case .uint16(let s): fill(s)
        }
        return out
    }

    /// An image from planar CHW floats, inverting `normalization`, then rounding to nearest and
    /// clamping to the sample type's range (NaN becomes 0).
    public init(planar floats: [Float], width: Int, height: Int, channels: Int,
                sampleType: SampleType = .uint8, normalization: Normalization = .unitRange) {
        precondition(floats.count == width * height * channels,
                     "[Image(planar:)] \(width)x\(height)x\(channels) needs \(width * height * channels) floats, got \(floats.count)")
        normalization.check(channels: channels)
        let plane = width * height
        let maxValue = Float(sampleType.maxValue)
        var values = [Int](repeating: 0, count: floats.count)
        for c in 0..<channels {
            for p in 0..<plane {
                let v = normalization.inverse(floats[c * plane + p], channel: c, maxValue: maxValue).rounded()
                values[p * channels + c] = v.isNaN ? 0 : Int(min(max(v, 0), maxValue))
            }
        }
        switch sampleType {
        case .uint8: self.init(width: width, height: height, channels: channels, samples: values.map { UInt8($0) })
        case .uint16: self.init(width: width, height: height, channels: channels, samples16: values.map { UInt16($0) })
        }
    }
}
