/// The class-balancing part w_c(x) of the U-Net loss weight map.
public enum ClassBalance: Sendable, Equatable {
    /// Every class weighs 1.
    case uniform
    /// Weight ∝ 1 / (pixels of the class), scaled so that the mean weight over the mask's pixels
    /// is 1: w_k = N / (K · n_k) for the K classes present. Absent classes get 1.
    case inverseFrequency
    /// Given weights, one per class.
    case fixed([Float])

    /// The weight of each class `0..<classCount` for this mask.
    public func classWeights(for mask: [Int32], classCount: Int) -> [Float] {
        switch self {
        case .uniform:
            return [Float](repeating: 1, count: classCount)
        case .fixed(let weights):
            precondition(weights.count == classCount, "[ClassBalance] \(weights.count) fixed weights for \(classCount) classes")
            return weights
        case .inverseFrequency:
            var counts = [Int](repeating: 0, count: classCount)
            mask.withUnsafeBufferPointer { m in
                for c in m {
                    precondition(c >= 0 && Int(c) < classCount, "[ClassBalance] class \(c) outside 0..<\(classCount)")
                    counts[Int(c)] += 1
                }
            }
            let present = counts.filter { $0 > 0 }.count
            return counts.map { $0 == 0 ? 1 : Float(Double(mask.count) / Double(present * $0)) }
        }
    }

    /// Per-pixel class weights w_c(x) for a mask, `height × width`.
    public func pixelWeights(for mask: [Int32], classCount: Int) -> [Float] {
        let weights = classWeights(for: mask, classCount: classCount)
        return weights.withUnsafeBufferPointer { w in mask.map { w[Int($0)] } }
    }
}
