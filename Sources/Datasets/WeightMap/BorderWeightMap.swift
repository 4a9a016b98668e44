#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The loss weight map of the U-Net paper (Ronneberger et al. 2015, eq. 2):
///
///     w(x) = w_c(x) + w0 · exp(-(d1(x) + d2(x))² / (2σ²))
///
/// where w_c balances class frequencies and d1, d2 are the Euclidean distances from pixel x to
/// the nearest pixel of the nearest and of the second-nearest object (cell). A background pixel
/// touching an object has distance 1 to it.
///
/// The border term is added only on background pixels (pixels that belong to no object) and
/// only where at least two objects exist: it emphasises the thin background borders that
/// separate touching objects, as in the paper's figure 3. Object pixels get w_c alone.
///
/// Objects come from instance labels (0 = background, any other value one object), or from the
/// connected components of one class of a class mask. For the ISBI EM data the cells are class 1
/// and the membranes (background, where the border term lands) class 0.
///
/// Speed: instead of one full-image distance transform per object, each object's exact distance
/// transform runs only inside its bounding box grown by `cutoffDistance`. An object farther than
/// that from a pixel can only be its second-nearest if d1 + d2 > cutoff, where the border term is
/// below `tolerance`; such terms are dropped. The result matches the brute-force definition to
/// within `tolerance`.
public struct BorderWeightMap: Sendable, Equatable {
    /// w0, the peak border weight (paper: 10).
    public var borderWeight: Float
    /// σ in pixels (paper: 5).
    public var sigma: Float
    /// How w_c is chosen.
    public var classBalance: ClassBalance
    /// Connectivity used when objects are taken from a class mask.
    public var connectivity: Connectivity
    /// Border terms smaller than this may be dropped.
    public var tolerance: Float

    /// Creates a weight map with the paper's defaults (w0 = 10, σ = 5 px, inverse-frequency w_c).
    public init(borderWeight: Float = 10, sigma: Float = 5, classBalance: ClassBalance = .inverseFrequency,
                connectivity: Connectivity = .four, tolerance: Float = 1e-4) {
        precondition(sigma > 0 && tolerance > 0, "[BorderWeightMap] sigma \(sigma) and tolerance \(tolerance) must be positive")
        self.borderWeight = borderWeight
        self.sigma = sigma
        self.classBalance = classBalance
        self.connectivity = connectivity
        self.tolerance = tolerance
    }

    /// The distance beyond which d1 + d2 makes the border term smaller than `tolerance`.
    public var cutoffDistance: Float {
        borderWeight <= tolerance ? 0 : sigma * (2 * logf(borderWeight / tolerance)).squareRoot()
    }

    /// Weights for a class mask whose objects are the connected components of `foregroundClass`;
    /// `height × width`, classes in `0..<classCount`.
    public func weights(classMask: [Int32], height: Int, width: Int, classCount: Int, foregroundClass: Int32 = 1) -> [Float] {
        let objects = labelConnectedComponents(classMask, height: height, width: width,
                                               foregroundClass: foregroundClass, connectivity: connectivity).labels
        return weights(instances: objects, classMask: classMask, height: height, width: width, classCount: classCount)
    }

    /// Weights for instance labels (0 = background); w_c comes from `classMask`, or when it is nil
    /// from the two classes background (0) and object (1).
    public func weights(instances: [Int32], classMask: [Int32]? = nil, height: Int, width: Int, classCount: Int = 2) -> [Float] {
        let classes = classMask ?? instances.map { $0 == 0 ? 0 : 1 }
        var result = classBalance.pixelWeights(for: classes, classCount: classCount)
        let border = borderTerm(instances: instances, height: height, width: width)
        for i in 0..<result.count { result[i] += border[i] }
        return result
    }

    /// The border term w0·exp(-(d1+d2)²/(2σ²)) alone, `height × width`, zero on object pixels.
    public func borderTerm(instances: [Int32], height: Int, width: Int) -> [Float] {
        precondition(instances.count == height * width, "[BorderWeightMap] \(instances.count) labels for \(height)×\(width)")
        let boxes = ObjectBoxes(instances, height: height, width: width)
        var nearest = [Float](repeating: .infinity, count: instances.count)
        var secondNearest = nearest
        let reach = Int(cutoffDistance.rounded(.up))
        let reachSquared = cutoffDistance * cutoffDistance
        var scratch = DistanceTransformScratch(capacity: max(height, width))
        var window: [Float] = []
        instances.withUnsafeBufferPointer { labels in
        nearest.withUnsafeMutableBufferPointer { d1 in
        secondNearest.withUnsafeMutableBufferPointer { d2 in
            for object in boxes.objects {
                let top = max(object.top - reach, 0), bottom = min(object.bottom + reach, height - 1)
                let left = max(object.left - reach, 0), right = min(object.right + reach, width - 1)
                let h = bottom - top + 1, w = right - left + 1
                if window.count < h * w { window = [Float](repeating: 0, count: h * w) }
                window.withUnsafeMutableBufferPointer { g in
                    for y in 0..<h {
                        let row = (top + y) * width + left
                        for x in 0..<w { g[y * w + x] = labels[row + x] == object.label ? 0 : distanceInfinity }
                    }
                    scratch.transform2D(g.baseAddress!, height: h, width: w, rowStride: w)
                    for y in 0..<h {
                        let row = (top + y) * width + left
                        for x in 0..<w where labels[row + x] == 0 && g[y * w + x] <= reachSquared {
                            let d = g[y * w + x].squareRoot(), p = row + x
                            if d < d1[p] { d2[p] = d1[p]; d1[p] = d } else if d < d2[p] { d2[p] = d }
                        }
                    }
                }
            }
        }}}
        let twoSigmaSquared = 2 * sigma * sigma
        return (0..<instances.count).map { p in
            let d = nearest[p] + secondNearest[p]
            return d.isFinite ? borderWeight * expf(-d * d / twoSigmaSquared) : 0
        }
    }
}

/// Bounding boxes of the objects of an instance label image.
struct ObjectBoxes {
    struct Box { var label: Int32; var top: Int, bottom: Int, left: Int, right: Int }
    var objects: [Box] = []

    init(_ labels: [Int32], height: Int, width: Int) {
        var indexOf: [Int32: Int] = [:]
        var lastLabel: Int32 = 0, lastIndex = -1
        for y in 0..<height {
            for x in 0..<width {
                let label = labels[y * width + x]
                if label == 0 { continue }
                if label != lastLabel {
                    lastLabel = label
                    if let i = indexOf[label] { lastIndex = i } else {
                        lastIndex = objects.count
                        indexOf[label] = lastIndex
                        objects.append(Box(label: label, top: y, bottom: y, left: x, right: x))
                    }
                }
                objects[lastIndex].bottom = y
                objects[lastIndex].left = min(objects[lastIndex].left, x)
                objects[lastIndex].right = max(objects[lastIndex].right, x)
            }
        }
    }
}
