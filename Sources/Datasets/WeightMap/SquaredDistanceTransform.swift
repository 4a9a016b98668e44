/// Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher 2012): the 1-D lower
/// envelope of parabolas, applied to columns and then to rows.

/// Stands in for "no feature" in the transform; large but finite so differences stay defined.
let distanceInfinity: Float = 1e20

/// Squared distance from every pixel of a `height × width` grid to the nearest pixel where
/// `isFeature` is true, `height × width`. Pixels with no feature anywhere get ≥ 1e20.
public func squaredEuclideanDistanceTransform(_ isFeature: [Bool], height: Int, width: Int) -> [Float] {
    precondition(isFeature.count == height * width, "[squaredEuclideanDistanceTransform] \(isFeature.count) values for \(height)×\(width)")
    var grid = isFeature.map { $0 ? Float(0) : distanceInfinity }
    var scratch = DistanceTransformScratch(capacity: max(height, width))
    grid.withUnsafeMutableBufferPointer { g in
        scratch.transform2D(g.baseAddress!, height: height, width: width, rowStride: width)
    }
    return grid
}

/// Work buffers for the 1-D transform, reused across lines and boxes.
struct DistanceTransformScratch {
    var input: [Float], output: [Float], parabolaAt: [Int], boundary: [Float]

    init(capacity: Int) {
        input = [Float](repeating: 0, count: capacity)
        output = input
        parabolaAt = [Int](repeating: 0, count: capacity)
        boundary = [Float](repeating: 0, count: capacity + 1)
    }

    /// In place on a `height × width` window of a grid with the given row stride; entries are
    /// 0 at features and `distanceInfinity` elsewhere on entry, squared distances on exit.
    mutating func transform2D(_ grid: UnsafeMutablePointer<Float>, height: Int, width: Int, rowStride: Int) {
        for x in 0..<width { transform1D(grid + x, count: height, stride: rowStride) }
        for y in 0..<height { transform1D(grid + y * rowStride, count: width, stride: 1) }
    }

    /// d[q] = min over p of (q - p)² + f[p], for the strided line starting at `line`.
    mutating func transform1D(_ line: UnsafeMutablePointer<Float>, count n: Int, stride: Int) {
        if n == 0 { return }
        input.withUnsafeMutableBufferPointer { f in
        output.withUnsafeMutableBufferPointer { d in
        parabolaAt.withUnsafeMutableBufferPointer { v in
        boundary.withUnsafeMutableBufferPointer { z in
            for q in 0..<n { f[q] = line[q * stride] }
            var k = 0
            v[0] = 0
            z[0] = -.infinity
            z[1] = .infinity
            if n > 1 {
                for q in 1..<n {
                    let fq = f[q] + Float(q * q)
                    var p = v[k]
                    var s = (fq - (f[p] + Float(p * p))) / Float(2 * (q - p))
                    while s <= z[k] {  // z[0] = -∞ stops the loop at k = 0
                        k -= 1
                        p = v[k]
                        s = (fq - (f[p] + Float(p * p))) / Float(2 * (q - p))
                    }
                    k += 1
                    v[k] = q
                    z[k] = s
                    z[k + 1] = .infinity
                }
            }
            k = 0
            for q in 0..<n {
                while z[k + 1] < Float(q) { k += 1 }
                let p = v[k]
                d[q] = Float((q - p) * (q - p)) + f[p]
            }
            for q in 0..<n { line[q * stride] = d[q] }
        }}}}
    }
}
