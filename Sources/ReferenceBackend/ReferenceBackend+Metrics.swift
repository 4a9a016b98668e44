import Tensors

/// Argmax over channels and confusion counts, pixel by pixel.
extension ReferenceBackend {
    public func argmaxChannels(_ x: Tensor) -> Tensor {
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
        return Tensor(shape: Shape(s.n, s.h, s.w), integers: mask)
    }

    public func accumulateConfusion(truth truthTensor: Tensor, prediction predictionTensor: Tensor, classes: Int, into counts: inout [Int64]) {
        let truth = truthTensor.integers
        let prediction = predictionTensor.integers
        for (t, p) in zip(truth, prediction) { counts[Int(t) * classes + Int(p)] += 1 }
    }

    public func classCounts(_ targets: Tensor, classes: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classes + 1)
        for t in targets.integers { counts[t >= 0 && Int(t) < classes ? Int(t) : classes] += 1 }
        return counts
    }
}
