import Tensors

/// Where bfloat16 convolutions are used under `--precision bf16`. (Placeholder: to be derived from measurements.)
enum BF16KernelRule {
    /// bfloat16 kernels are used for convolutions whose input and output channels are multiples of
    /// 16 (both sides in the blocked layout): not for the image-facing first layer or the class head.
    static func applies(weight w: Shape, transposed t: Bool) -> Bool {
        let (cin, cout) = t ? (w[0], w[1]) : (w[1], w[0])
        return cin % 16 == 0 && cout % 16 == 0
    }

    static func choice(_ pass: ConvolutionPass, weight w: Shape, geometry g: ConvGeometry, transposed t: Bool,
                       winogradPossible: Bool) -> ConvolutionKernel {
        .bf16
    }
}
