/// Inference convolution with fused epilogue: relu?(conv2d(x, weight, bias) + residual?).
/// Records no gradient: use it only where nothing is being differentiated (eval mode, no tape).
/// Shapes as `conv2d`; `residual` has the output's shape.
public func conv2dFused(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                        residual: Tensor? = nil, relu applyReLU: Bool = false) -> Tensor {
    precondition(Tape.current == nil || !(x.requiresGrad || weight.requiresGrad), "[conv2d_fused] no gradient: call it without a recording tape")
    return Backend.current.fusedConvolution(x, weight: weight, bias: bias, geometry: ConvGeometry(stride: stride, padding: padding),
                                            residual: residual, relu: applyReLU)
}
