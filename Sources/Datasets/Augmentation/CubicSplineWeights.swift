/// Interpolation weights of a natural cubic spline through `nodeCount` evenly spaced nodes,
/// evaluated at `sampleCount` evenly spaced positions spanning the same interval.
///
/// Row `s` of the result (`sampleCount × nodeCount`, row-major) holds the weights that produce
/// the spline's value at sample `s` from the node values, so a smooth field on a coarse grid is
/// `W_rows · G · W_columnsᵀ`. Nodes sit at samples `k·(sampleCount-1)/(nodeCount-1)`; the spline
/// passes through them exactly, is C² and has zero curvature at both ends.
/// One node gives constant weights, two give linear interpolation.
func naturalCubicSplineWeights(nodeCount: Int, sampleCount: Int) -> [Float] {
    precondition(nodeCount >= 1 && sampleCount >= 1, "[naturalCubicSplineWeights] counts must be positive")
    var weights = [Float](repeating: 0, count: sampleCount * nodeCount)
    if nodeCount == 1 {
        for s in 0..<sampleCount { weights[s] = 1 }
        return weights
    }
    let segments = nodeCount - 1
    for node in 0..<nodeCount {
        // Second derivatives M for the unit impulse at `node` (spacing 1, natural ends M = 0),
        // from M[k-1] + 4·M[k] + M[k+1] = 6·(y[k-1] - 2·y[k] + y[k+1]) by the Thomas algorithm.
        var values = [Double](repeating: 0, count: nodeCount)
        values[node] = 1
        var second = [Double](repeating: 0, count: nodeCount)
        let interior = nodeCount - 2
        if interior > 0 {
            var diagonal = [Double](repeating: 4, count: interior)
            var rhs = [Double](repeating: 0, count: interior)
            for k in 0..<interior {
                let curvature: Double = values[k] - 2 * values[k + 1] + values[k + 2]
                rhs[k] = 6 * curvature
            }
            for k in 1..<interior {
                let m = 1 / diagonal[k - 1]
                diagonal[k] -= m
                rhs[k] -= m * rhs[k - 1]
            }
            var solution = [Double](repeating: 0, count: interior)
            solution[interior - 1] = rhs[interior - 1] / diagonal[interior - 1]
            if interior > 1 {
                for k in stride(from: interior - 2, through: 0, by: -1) {
                    solution[k] = (rhs[k] - solution[k + 1]) / diagonal[k]
                }
            }
            for k in 0..<interior { second[k + 1] = solution[k] }
        }
        for s in 0..<sampleCount {
            let u = sampleCount == 1 ? 0 : Double(s) * Double(segments) / Double(sampleCount - 1)
            let k = min(Int(u), segments - 1)
            let b = u - Double(k), a = 1 - b
            let linear: Double = a * values[k] + b * values[k + 1]
            let cubic: Double = (a * a * a - a) * second[k] + (b * b * b - b) * second[k + 1]
            let value = linear + cubic / 6
            weights[s * nodeCount + node] = Float(value)
        }
    }
    return weights
}
