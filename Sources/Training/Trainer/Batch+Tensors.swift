import Datasets
import Tensors

extension Batch {
    /// The batch as tensors on the current backend's device: inputs float32 [N,C,S,S], targets
    /// int32 [N,S',S'], the border weight map (when used) float32 [N,S',S'].
    public func tensors() -> (inputs: Tensor, targets: Tensor, pixelWeights: Tensor?) {
        let outputShape = Shape(size, outputSize, outputSize)
        return (Tensor(shape: Shape(size, channels, inputSize, inputSize), scalars: inputs),
                Tensor(shape: outputShape, integers: targets),
                weights.map { Tensor(shape: outputShape, scalars: $0) })
    }
}
