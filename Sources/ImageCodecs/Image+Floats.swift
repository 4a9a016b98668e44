extension Image {
    /// The samples as float32 in planar CHW order (`[channels][height][width]`), normalised by
    /// `normalization` (`.unitRange`: divide by 255 or 65535 to get [0, 1]; float samples are
    /// taken as they are, see `SampleType.maxValue`). A palette image gives its indices; call
    /// `expandingPalette()` first for colours.
    public func planarFloats(normalization: Normalization = .unitRange) -> [Float] {
        normalization.check(channels: channels)
        let plane = width * height
        let maxValue = Float(sampleType.maxValue)
        var out = [Float](repeating: 0, count: plane * channels)
        func fill<T>(_ s: [T], _ float: (T) -> Float) {
            for c in 0..<channels {
                for p in 0..<plane {
                    out[c * plane + p] = normalization.forward(float(s[p * channels + c]), channel: c, maxValue: maxValue)
                }
            }
        }
        switch samples {
        case .uint8(let s): fill(s) { Float($0) }
        case .uint16(let s): fill(s) { Float($0) }
        case .float32(let s): fill(s) { $0 }
        }
        return out
    }

    /// An image from planar CHW floats, inverting `normalization`, then rounding to nearest and
    /// clamping to the sample type's range (NaN becomes 0); `.float32` keeps the values
    /// unrounded (NaN still becomes 0, infinities the largest finite floats).
    public init(planar floats: [Float], width: Int, height: Int, channels: Int,
                sampleType: SampleType = .uint8, normalization: Normalization = .unitRange) {
        precondition(floats.count == width * height * channels,
                     "[Image(planar:)] \(width)x\(height)x\(channels) needs \(width * height * channels) floats, got \(floats.count)")
        normalization.check(channels: channels)
        let plane = width * height
        let maxValue = Float(sampleType.maxValue)
        if sampleType == .float32 {
            var values = [Float](repeating: 0, count: floats.count)
            for c in 0..<channels {
                for p in 0..<plane {
                    let v = normalization.inverse(floats[c * plane + p], channel: c, maxValue: maxValue)
                    values[p * channels + c] = v.isNaN ? 0 : min(max(v, -.greatestFiniteMagnitude), .greatestFiniteMagnitude)
                }
            }
            self.init(width: width, height: height, channels: channels, floatSamples: values)
            return
        }
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
        case .float32: preconditionFailure("[Image(planar:)] float images return above")
        }
    }
}
