import Tensors

/// The training objective.
public enum LossKind: String, CaseIterable, Codable, Sendable {
    /// Softmax cross-entropy (with class weights and the border weight map when given).
    case ce
    /// Soft Dice over all classes.
    case dice
    /// Cross-entropy plus soft Dice, equally weighted.
    case ceDice = "ce+dice"
}

/// Computes the loss of logits [N,C,H,W] against class targets (N·H·W) with optional per-class
/// weights and per-pixel weights (the paper's border weight map); Dice ignores the weights.
public struct SegmentationLoss: Sendable {
    public var kind: LossKind
    public var classWeights: [Float]?

    public init(kind: LossKind = .ce, classWeights: [Float]? = nil) {
        self.kind = kind
        self.classWeights = classWeights
    }

    public func callAsFunction(_ logits: Tensor, targets: [Int32], pixelWeights: [Float]? = nil) -> Tensor {
        switch kind {
        case .ce: return softmaxCrossEntropy(logits, targets: targets, classWeights: classWeights, pixelWeights: pixelWeights)
        case .dice: return softDiceLoss(logits, targets: targets)
        case .ceDice:
            return softmaxCrossEntropy(logits, targets: targets, classWeights: classWeights, pixelWeights: pixelWeights)
                + softDiceLoss(logits, targets: targets)
        }
    }
}
