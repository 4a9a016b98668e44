/// Mirror (reflect) boundary handling shared by padding, cropping, elastic sampling and tiling.
///
/// The reflection does not repeat the edge pixel, like numpy's `mode="reflect"`:
/// for a row `a b c d`, index -1 maps to `b` and index 4 maps to `c`. Indices any distance
/// outside the range are folded back by repeated reflection (period `2·(n-1)`).

/// Maps any integer index onto `0..<count` by reflection without repeating the edge.
@inlinable
public func reflectIndex(_ index: Int, count: Int) -> Int {
    if index >= 0 && index < count { return index }
    if count == 1 { return 0 }
    let period = 2 * (count - 1)
    var m = index % period
    if m < 0 { m += period }
    return m < count ? m : period - m
}

/// Extracts the window `top ..< top+outHeight`, `left ..< left+outWidth` from each plane of a
/// planar array, reading positions outside the source by mirror reflection.
///
/// Shapes: `data` is `channels × height × width`; the result is `channels × outHeight × outWidth`.
/// `top` and `left` may be negative and the window may extend past the bottom/right edge.
public func mirrorWindow<Element>(_ data: [Element], channels: Int, height: Int, width: Int,
                                  top: Int, left: Int, outHeight: Int, outWidth: Int) -> [Element] {
    precondition(data.count == channels * height * width,
                 "[mirrorWindow] data has \(data.count) values, shape [\(channels),\(height),\(width)]")
    precondition(outHeight >= 0 && outWidth >= 0, "[mirrorWindow] negative window \(outHeight)×\(outWidth)")
    if outHeight == 0 || outWidth == 0 || channels == 0 { return [] }
    let sourceColumns = (0..<outWidth).map { reflectIndex(left + $0, count: width) }
    let sourceRows = (0..<outHeight).map { reflectIndex(top + $0, count: height) }
    let inside = left >= 0 && left + outWidth <= width
    let count = channels * outHeight * outWidth
    return [Element](unsafeUninitializedCapacity: count) { out, initialized in
        data.withUnsafeBufferPointer { src in
            sourceColumns.withUnsafeBufferPointer { cols in
                var o = 0
                for c in 0..<channels {
                    let plane = c * height * width
                    for y in 0..<outHeight {
                        let row = plane + sourceRows[y] * width
                        if inside {
                            for x in 0..<outWidth { (out.baseAddress! + o + x).initialize(to: src[row + left + x]) }
                        } else {
                            for x in 0..<outWidth { (out.baseAddress! + o + x).initialize(to: src[row + cols[x]]) }
                        }
                        o += outWidth
                    }
                }
            }
        }
        initialized = count
    }
}

/// Pads each plane of a planar array by mirror reflection (numpy `mode="reflect"`), handling pads
/// larger than the image by repeated reflection.
///
/// Shapes: `data` is `channels × height × width`; the result is
/// `channels × (top+height+bottom) × (left+width+right)`.
public func mirrorPad<Element>(_ data: [Element], channels: Int, height: Int, width: Int,
                               top: Int, bottom: Int, left: Int, right: Int) -> [Element] {
    precondition(top >= 0 && bottom >= 0 && left >= 0 && right >= 0,
                 "[mirrorPad] pads must be non-negative: \(top),\(bottom),\(left),\(right)")
    return mirrorWindow(data, channels: channels, height: height, width: width,
                        top: -top, left: -left, outHeight: height + top + bottom, outWidth: width + left + right)
}
