/// Size arithmetic of a U-Net, needed to choose patch sizes and for overlap-tile prediction.
///
/// Under valid padding every block loses `b` pixels per side (b = number of 3×3 convolutions),
/// every pooling halves (and needs an even size), every up-sampling doubles. For the paper's
/// network (depth 4, plain blocks) 572 → 388, losing 92 pixels per side. Under same padding the
/// output equals the input, which must be divisible by 2^depth.
extension UNetConfiguration {
    private var blockLoss: Int { padding == .valid ? 2 * block.threeByThreeCount : 0 }

    /// The output size for an input size, or nil when the input is not valid for this network
    /// (an odd size reaches a pooling, or a map shrinks to nothing).
    public func outputSize(forInput n: Int) -> Int? {
        var s = n
        for _ in 0..<depth {
            s -= blockLoss
            if s < 2 || s % 2 != 0 { return nil }
            s /= 2
        }
        s -= blockLoss
        if s < 1 { return nil }
        for _ in 0..<depth {
            s = 2 * s - blockLoss
            if s < 1 { return nil }
        }
        return s
    }

    /// Whether `n` is a valid input size.
    public func isValidInput(_ n: Int) -> Bool { outputSize(forInput: n) != nil }

    /// The valid input size nearest to `n` (the larger one on ties).
    public func nearestValidInput(to n: Int) -> Int {
        for d in 0... {
            if isValidInput(n + d) { return n + d }
            if n - d >= 1 && isValidInput(n - d) { return n - d }
        }
        fatalError("unreachable")
    }

    /// The smallest valid input size.
    public var minimumInput: Int { (1...).first { isValidInput($0) }! }

    /// The smallest valid input size whose output is at least `m`.
    public func inputSize(forOutputAtLeast m: Int) -> Int {
        var n = max(m, minimumInput)
        while (outputSize(forInput: n) ?? -1) < m || !isValidInput(n) { n += 1 }
        return n
    }

    /// Pixels lost on each side between input and output (0 under same padding).
    public var borderPerSide: Int {
        let n = minimumInput
        return (n - outputSize(forInput: n)!) / 2
    }

    /// Side of the input window that one output pixel can depend on (along the deepest path).
    public var receptiveField: Int {
        var rf = 1, jump = 1
        let perBlock = 2 * block.threeByThreeCount
        for _ in 0..<depth {
            rf += perBlock * jump
            rf += jump          // 2×2 pooling
            jump *= 2
        }
        rf += perBlock * jump   // bottom block
        for _ in 0..<depth {
            jump /= 2           // a 2×2 stride-2 up-convolution adds no context
            rf += perBlock * jump
        }
        return rf
    }

    /// The factor the output grid is aligned to: tiles must start at multiples of it for results
    /// that do not depend on the tiling (pooling phase).
    public var alignment: Int { 1 << depth }
}
