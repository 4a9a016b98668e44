import Tensors

/// Smooth random elastic deformation, as in the U-Net paper (Ronneberger et al. 2015, §3.1).
///
/// Random displacement vectors are drawn on a coarse `gridSize × gridSize` grid spanning the
/// sample (each component ~ N(0, `displacementSigma`²) pixels) and interpolated to every pixel
/// with a natural cubic spline (C², passes through the grid values). Output pixel (y, x) reads
/// the source at (y + dy, x + dx): the image by bicubic interpolation, the weight map bilinearly,
/// the mask by nearest neighbour so that no new class value is ever invented. Reads outside the
/// sample reflect (numpy `reflect`). The output has the input's size.
///
/// Why bicubic for the image: bilinear interpolation at a half-pixel offset averages two pixels,
/// so a warped image is blurred wherever the displacement is fractional, while test images never
/// are; on the ISBI sample that mismatch cost more membrane IoU than the deformation gained.
public struct ElasticDeformation: Sendable, Equatable {
    /// Number of coarse grid nodes along each axis (≥ 1).
    public var gridSize: Int
    /// Standard deviation of each displacement component at the grid nodes, in pixels.
    public var displacementSigma: Float

    /// Creates a deformation; the U-Net paper uses a 3×3 grid and σ = 10 pixels.
    public init(gridSize: Int = 3, displacementSigma: Float = 10) {
        precondition(gridSize >= 1, "[ElasticDeformation] gridSize \(gridSize) must be ≥ 1")
        self.gridSize = gridSize
        self.displacementSigma = displacementSigma
    }

    /// A dense displacement field: row (`dy`) and column (`dx`) offsets, each `height × width`.
    public struct DisplacementField: Sendable, Equatable {
        /// Row offset per pixel, `height × width`.
        public var dy: [Float]
        /// Column offset per pixel, `height × width`.
        public var dx: [Float]
        /// Rows of the field.
        public var height: Int
        /// Columns of the field.
        public var width: Int

        /// Creates a field from explicit offsets.
        public init(dy: [Float], dx: [Float], height: Int, width: Int) {
            precondition(dy.count == height * width && dx.count == height * width,
                         "[DisplacementField] offsets must be \(height)×\(width)")
            self.dy = dy
            self.dx = dx
            self.height = height
            self.width = width
        }
    }

    /// Draws the coarse grid (all `dy` nodes, then all `dx` nodes) and interpolates it to a
    /// `height × width` field.
    public func randomField(height: Int, width: Int, rng: inout SeededGenerator) -> DisplacementField {
        let g = gridSize
        let nodesY = (0..<g * g).map { _ in rng.nextGaussian() * displacementSigma }
        let nodesX = (0..<g * g).map { _ in rng.nextGaussian() * displacementSigma }
        let rowWeights = naturalCubicSplineWeights(nodeCount: g, sampleCount: height)
        let columnWeights = naturalCubicSplineWeights(nodeCount: g, sampleCount: width)
        return DisplacementField(
            dy: interpolate(nodesY, rowWeights: rowWeights, columnWeights: columnWeights, height: height, width: width),
            dx: interpolate(nodesX, rowWeights: rowWeights, columnWeights: columnWeights, height: height, width: width),
            height: height, width: width)
    }

    /// `rowWeights (H×g) · nodes (g×g) · columnWeightsᵀ (g×W)`.
    private func interpolate(_ nodes: [Float], rowWeights: [Float], columnWeights: [Float], height: Int, width: Int) -> [Float] {
        let g = gridSize
        var alongColumns = [Float](repeating: 0, count: g * width)  // g × W
        for i in 0..<g {
            for x in 0..<width {
                var sum: Float = 0
                for j in 0..<g { sum += nodes[i * g + j] * columnWeights[x * g + j] }
                alongColumns[i * width + x] = sum
            }
        }
        var field = [Float](repeating: 0, count: height * width)
        field.withUnsafeMutableBufferPointer { out in
            alongColumns.withUnsafeBufferPointer { t in
                for y in 0..<height {
                    for i in 0..<g {
                        let w = rowWeights[y * g + i]
                        for x in 0..<width { out[y * width + x] += w * t[i * width + x] }
                    }
                }
            }
        }
        return field
    }

    /// Draws a random field and warps the sample with it.
    public func apply(to sample: Sample, rng: inout SeededGenerator) -> Sample {
        let field = randomField(height: sample.height, width: sample.width, rng: &rng)
        return Self.warp(sample, by: field)
    }

    /// Warps a sample by a given field (deterministic): image bicubic, weights bilinear, mask nearest.
    public static func warp(_ sample: Sample, by field: DisplacementField) -> Sample {
        precondition(field.height == sample.height && field.width == sample.width,
                     "[ElasticDeformation] field \(field.height)×\(field.width) vs sample \(sample.height)×\(sample.width)")
        precondition(sample.labelHeight == sample.height && sample.labelWidth == sample.width,
                     "[ElasticDeformation] warp before cropping: labels \(sample.labelHeight)×\(sample.labelWidth) differ from the image")
        let plan = WarpPlan(field: field)
        var out = sample
        out.image = plan.bicubic(sample.image, channels: sample.channels)
        out.weights = sample.weights.map { plan.bilinear($0, channels: 1) }
        out.mask = sample.mask.map { plan.nearest($0) }
        return out
    }
}

/// Source positions of a warp, resolved once (reflected indices and fractions) and reused for
/// every plane.
struct WarpPlan {
    let height: Int, width: Int
    /// Per pixel: the 4 reflected rows and columns around the source position (floor − 1 …
    /// floor + 2; bilinear uses the middle two) and the fractional parts of the position.
    var rowTaps: [Int32], columnTaps: [Int32]
    var rowFraction: [Float], columnFraction: [Float]
    /// Per pixel: flat index of the nearest source pixel.
    var nearestIndex: [Int32]

    init(field: ElasticDeformation.DisplacementField) {
        height = field.height
        width = field.width
        let n = height * width
        rowTaps = [Int32](repeating: 0, count: 4 * n); columnTaps = rowTaps
        nearestIndex = [Int32](repeating: 0, count: n)
        rowFraction = [Float](repeating: 0, count: n); columnFraction = rowFraction
        for y in 0..<height {
            for x in 0..<width {
                let p = y * width + x
                let sy = Float(y) + field.dy[p], sx = Float(x) + field.dx[p]
                let fy = sy.rounded(.down), fx = sx.rounded(.down)
                let iy = Int(fy), ix = Int(fx)
                rowFraction[p] = sy - fy
                columnFraction[p] = sx - fx
                for k in 0..<4 {
                    rowTaps[4 * p + k] = Int32(reflectIndex(iy - 1 + k, count: height))
                    columnTaps[4 * p + k] = Int32(reflectIndex(ix - 1 + k, count: width))
                }
                let ny = reflectIndex(Int(sy.rounded(.toNearestOrAwayFromZero)), count: height)
                let nx = reflectIndex(Int(sx.rounded(.toNearestOrAwayFromZero)), count: width)
                nearestIndex[p] = Int32(ny * width + nx)
            }
        }
    }

    /// Bilinear resampling of `channels × height × width` data.
    func bilinear(_ data: [Float], channels: Int) -> [Float] {
        let n = height * width
        var out = [Float](repeating: 0, count: channels * n)
        out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { src in
                rowTaps.withUnsafeBufferPointer { rows in columnTaps.withUnsafeBufferPointer { columns in
                rowFraction.withUnsafeBufferPointer { fy in columnFraction.withUnsafeBufferPointer { fx in
                    for c in 0..<channels {
                        let plane = c * n
                        for p in 0..<n {
                            let top = plane + Int(rows[4 * p + 1]) * width, bottom = plane + Int(rows[4 * p + 2]) * width
                            let left = Int(columns[4 * p + 1]), right = Int(columns[4 * p + 2])
                            let a = src[top + left] + fx[p] * (src[top + right] - src[top + left])
                            let b = src[bottom + left] + fx[p] * (src[bottom + right] - src[bottom + left])
                            o[plane + p] = a + fy[p] * (b - a)
                        }
                    }
                }}}}
            }
        }
        return out
    }

    /// Bicubic resampling (Keys' cubic convolution, a = −½, exact for quadratics) of
    /// `channels × height × width` data. Each value is clamped to the range of its 2×2
    /// neighbourhood, so edges overshoot nowhere and the output keeps the input's range.
    func bicubic(_ data: [Float], channels: Int) -> [Float] {
        let n = height * width
        var out = [Float](repeating: 0, count: channels * n)
        var wy = [Float](repeating: 0, count: 4), wx = wy
        var rows = [Int](repeating: 0, count: 4), columns = rows
        out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { src in
                for p in 0..<n {
                    cubicWeights(rowFraction[p], into: &wy)
                    cubicWeights(columnFraction[p], into: &wx)
                    for k in 0..<4 {
                        rows[k] = Int(rowTaps[4 * p + k]) * width
                        columns[k] = Int(columnTaps[4 * p + k])
                    }
                    for c in 0..<channels {
                        let plane = c * n
                        var sum: Float = 0
                        for i in 0..<4 {
                            var across: Float = 0
                            for j in 0..<4 { across += wx[j] * src[plane + rows[i] + columns[j]] }
                            sum += wy[i] * across
                        }
                        let a = src[plane + rows[1] + columns[1]], b = src[plane + rows[1] + columns[2]]
                        let d = src[plane + rows[2] + columns[1]], e = src[plane + rows[2] + columns[2]]
                        o[plane + p] = min(max(sum, min(min(a, b), min(d, e))), max(max(a, b), max(d, e)))
                    }
                }
            }
        }
        return out
    }

    /// Nearest-neighbour resampling of one `height × width` plane.
    func nearest<Element>(_ data: [Element]) -> [Element] {
        data.withUnsafeBufferPointer { src in
            nearestIndex.map { src[Int($0)] }
        }
    }
}

/// Keys' cubic-convolution weights (a = −½) of the taps at −1, 0, 1, 2 for a fraction t ∈ [0, 1).
func cubicWeights(_ t: Float, into w: inout [Float]) {
    let a: Float = -0.5
    func near(_ d: Float) -> Float { ((a + 2) * d - (a + 3)) * d * d + 1 }          // |d| ≤ 1
    func far(_ d: Float) -> Float { ((a * d - 5 * a) * d + 8 * a) * d - 4 * a }       // 1 < |d| < 2
    w[0] = far(1 + t)
    w[1] = near(t)
    w[2] = near(1 - t)
    w[3] = far(2 - t)
}
