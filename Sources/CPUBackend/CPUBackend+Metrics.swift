import Tensors

/// Argmax over channels and confusion counts: host loops over plain memory.
extension CPUBackend {
    public func argmaxChannels(_ x: Tensor) -> Tensor {
        let s = x.shape
        // The plain copy must outlive the loop: its storage goes back to the pool when released.
        let plainX = x.inLayout(.plain)
        defer { withExtendedLifetime(plainX) {} }
        let p = plainX.pointer
        let plane = s.h * s.w
        let result = Tensor(shape: Shape(s.n, s.h, s.w), dtype: .int32)
        let mask = result.hostAddress(as: Int32.self)
        for n in 0..<s.n {
            let base = n * s.c * plane
            for i in 0..<plane {
                var best = p[base + i], index: Int32 = 0
                for c in 1..<max(s.c, 1) where p[base + c * plane + i] > best { best = p[base + c * plane + i]; index = Int32(c) }
                mask[n * plane + i] = index
            }
        }
        return result
    }

    public func accumulateConfusion(truth truthTensor: Tensor, prediction predictionTensor: Tensor, classes k: Int, into counts: inout [Int64]) {
        let truth = truthTensor.hostIntegers
        let prediction = predictionTensor.hostIntegers
        counts.withUnsafeMutableBufferPointer { c in
            for i in 0..<truth.count { c[Int(truth[i]) * k + Int(prediction[i])] += 1 }
        }
    }

    public func classCounts(_ targets: Tensor, classes: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classes + 1)
        for t in targets.hostIntegers { counts[t >= 0 && Int(t) < classes ? Int(t) : classes] += 1 }
        return counts
    }
}
