import Tensors

/// The training objective.
public enum LossKind: String, CaseIterable, Codable, Sendable {
    /// Softmax cross-entropy (with class weights and the border weight map when given).
    case ce
    /// Soft Dice over all classes.
    case dice
    /// Cross-entropy plus soft Dice, equally weighted.
    case ceDice = "ce+dice"
    /// Lovász-softmax: a convex surrogate of 1 − IoU over the batch.
    case lovasz
    /// Cross-entropy plus Lovász-softmax, equally weighted.
    case ceLovasz = "ce+lovasz"

    /// Whether the loss has a cross-entropy term, the only one that class weights and the border
    /// weight map act on.
    public var includesCrossEntropy: Bool { self == .ce || self == .ceDice || self == .ceLovasz }
}

/// Computes the loss of logits [N,C,H,W] against class targets (int32 [N,H,W]) with optional
/// per-class weights and per-pixel weights (float32 [N,H,W], the paper's border weight map); Dice
/// and Lovász ignore the weights.
public struct SegmentationLoss: Sendable {
    public var kind: LossKind
    public var classWeights: [Float]?

    public init(kind: LossKind = .ce, classWeights: [Float]? = nil) {
        self.kind = kind
        self.classWeights = classWeights
    }

    public func callAsFunction(_ logits: Tensor, targets: Tensor, pixelWeights: Tensor? = nil) -> Tensor {
        let classWeights = self.classWeights.map { Tensor(shape: Shape($0.count), scalars: $0) }
        switch kind {
        case .ce: return softmaxCrossEntropy(logits, targets: targets, classWeights: classWeights, pixelWeights: pixelWeights)
        case .dice: return softDiceLoss(logits, targets: targets)
        case .ceDice:
            return softmaxCrossEntropy(logits, targets: targets, classWeights: classWeights, pixelWeights: pixelWeights)
                + softDiceLoss(logits, targets: targets)
        case .lovasz: return lovaszSoftmaxLoss(logits, targets: targets)
        case .ceLovasz:
            return softmaxCrossEntropy(logits, targets: targets, classWeights: classWeights, pixelWeights: pixelWeights)
                + lovaszSoftmaxLoss(logits, targets: targets)
        }
    }
}
