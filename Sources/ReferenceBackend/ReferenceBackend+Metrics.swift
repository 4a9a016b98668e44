import Tensors

/// Argmax over channels and confusion counts, pixel by pixel.
extension ReferenceBackend {
    public func argmaxChannels(_ x: Tensor) -> [Int32] {
        let x = plain(x), s = x.shape
        var mask: [Int32] = []
        for n in 0..<s.n {
            for i in 0..<(s.h * s.w) {
                // The first channel wins unless a later one is strictly larger.
                var best = 0
                for c in 1..<max(s.c, 1) where x.pointer[index(s, n, c, i)] > x.pointer[index(s, n, best, i)] { best = c }
                mask.append(Int32(best))
            }
        }
        return mask
    }

    public func accumulateConfusion(truth: [Int32], prediction: [Int32], classes: Int, into counts: inout [Int64]) {
        for (t, p) in zip(truth, prediction) { counts[Int(t) * classes + Int(p)] += 1 }
    }
}
