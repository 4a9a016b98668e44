import Tensors

/// Class-index targets (int32 [N,H,W]) for logits of `shape` [N,C,H,W], from row-major values.
public func labelTensor(_ values: [Int32], for shape: Shape) -> Tensor {
    Tensor(shape: Shape(shape.n, shape.h, shape.w), integers: values)
}

/// Per-pixel weights (float32 [N,H,W]) for logits of `shape` [N,C,H,W].
public func pixelWeightTensor(_ values: [Float], for shape: Shape) -> Tensor {
    Tensor(shape: Shape(shape.n, shape.h, shape.w), scalars: values)
}

/// Per-class weights (float32 [C]).
public func classWeightTensor(_ values: [Float]) -> Tensor {
    Tensor(shape: Shape(values.count), scalars: values)
}
