/// Convolution padding: the paper's `valid` (no padding, maps shrink) or `same` (padding 1).
public enum PaddingMode: String, CaseIterable, Codable, Sendable {
    case valid, same
}
