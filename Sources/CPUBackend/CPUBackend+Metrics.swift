import Tensors

/// Argmax over channels and confusion counts: host loops over plain memory.
extension CPUBackend {
    public func argmaxChannels(_ x: Tensor) -> [Int32] {
        let s = x.shape
        // The plain copy must outlive the loop: its storage goes back to the pool when released.
        let plainX = x.inLayout(.plain)
        defer { withExtendedLifetime(plainX) {} }
        let p = plainX.pointer
        let plane = s.h * s.w
        var mask = [Int32](repeating: 0, count: s.n * plane)
        for n in 0..<s.n {
            let base = n * s.c * plane
            for i in 0..<plane {
                var best = p[base + i], index: Int32 = 0
                for c in 1..<max(s.c, 1) where p[base + c * plane + i] > best { best = p[base + c * plane + i]; index = Int32(c) }
                mask[n * plane + i] = index
            }
        }
        return mask
    }

    public func accumulateConfusion(truth: [Int32], prediction: [Int32], classes k: Int, into counts: inout [Int64]) {
        counts.withUnsafeMutableBufferPointer { c in
            truth.withUnsafeBufferPointer { t in
                prediction.withUnsafeBufferPointer { p in
                    for i in 0..<t.count { c[Int(t[i]) * k + Int(p[i])] += 1 }
                }
            }
        }
    }
}
