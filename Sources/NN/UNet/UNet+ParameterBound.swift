extension UNetConfiguration {
    /// A lower bound on the network's parameter count: the weights of its convolutions only
    /// (no biases or batch norm), computed from the configuration without building the network.
    /// A checkpoint whose file holds fewer values cannot be this network, so its configuration
    /// is refused before gigabytes are allocated for a model the file does not contain.
    public var parameterCountLowerBound: Double {
        func blockWeights(_ cin: Double, _ cout: Double) -> Double {
            switch block {
            case .plain, .residual, .preact: return cin * cout * 9 + cout * cout * 9
            case .bottleneck:
                let mid = max((cout / 4).rounded(.down), 1)
                return cin * mid + mid * mid * 9 + mid * cout
            }
        }
        var total = 0.0
        for level in 0...depth {
            let cin = level == 0 ? Double(inputChannels) : Double(width(atLevel: level - 1))
            total += blockWeights(cin, Double(width(atLevel: level)))
        }
        for level in 0..<depth {
            let below = Double(width(atLevel: level + 1)), here = Double(width(atLevel: level))
            total += below * here * (upsampling == .transposed ? 4 : 1)
            total += blockWeights(2 * here, here)
        }
        return total + Double(width(atLevel: 0)) * Double(classes)
    }
}
