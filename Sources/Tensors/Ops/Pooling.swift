/// 2-D max pooling, PyTorch `F.max_pool2d(x, kernel, stride, ceil_mode:)`.
/// x: [N,C,H,W] → [N,C,H',W'] with H' = floor((H−k)/s)+1, or the ceil version in ceil mode.
public func maxPool2d(_ x: Tensor, kernel: Int = 2, stride: Int = 2, ceilMode: Bool = false) -> Tensor {
    pool(x, .max, PoolGeometry(kernel: kernel, stride: stride, ceilMode: ceilMode))
}

/// 2-D average pooling, PyTorch `F.avg_pool2d`; windows hanging off the edge in ceil mode
/// average only the elements inside the input.
public func avgPool2d(_ x: Tensor, kernel: Int = 2, stride: Int = 2, ceilMode: Bool = false) -> Tensor {
    pool(x, .average, PoolGeometry(kernel: kernel, stride: stride, ceilMode: ceilMode))
}

private func pool(_ x: Tensor, _ kind: PoolKind, _ g: PoolGeometry) -> Tensor {
    let backend = Backend.current
    let training = Tape.current != nil && x.requiresGrad
    let (y, context) = backend.pool(x, kind: kind, geometry: g, training: training)
    let (shape, layout) = (x.shape, x.layout)
    Tape.record(y, inputs: [x]) { dy in
        [backend.poolBackward(dy, inputShape: shape, inputLayout: layout, kind: kind, geometry: g, context: context)]
    }
    return y
}
