import NN

/// Which input sides a network accepts and what it returns for each, as an arithmetic rule:
/// valid sides are `minimum + k·step` (k ≥ 0), the output side is `input − 2·border`.
/// Both padding modes fit it (valid: each pooling needs an even size, so step = 2^depth; same:
/// multiples of 2^depth, border 0); `init` checks the rule against the network's own arithmetic.
public struct InputSizeRule: Equatable, Sendable {
    public let minimum: Int
    public let step: Int
    public let border: Int

    public init(_ c: UNetConfiguration) {
        minimum = c.minimumInput
        step = c.alignment
        border = c.padding == .valid ? c.borderPerSide : 0
        for n in minimum..<(minimum + 4 * step) {
            let expected = (n - minimum) % step == 0 ? n - 2 * border : nil
            precondition(c.outputSize(forInput: n) == expected, "[InputSizeRule] the rule does not describe input \(n)")
        }
    }

    /// Output side for an input side, or nil when the side is not valid.
    public func output(forInput n: Int) -> Int? {
        n >= minimum && (n - minimum) % step == 0 ? n - 2 * border : nil
    }

    /// The largest valid side not above `n` (the minimum when `n` is smaller).
    public func largestValid(atMost n: Int) -> Int {
        n < minimum ? minimum : minimum + (n - minimum) / step * step
    }

    public var text: String {
        "H and W must each be \(minimum) + k·\(step) for k = 0, 1, 2, …; the output is (H − \(2 * border)) × (W − \(2 * border))"
    }
}
