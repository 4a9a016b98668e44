import Tensors

/// A stage's block: maps [N,Cin,H,W] to [N,Cout,H−2b,W−2b] with b the border lost per side.
public protocol Block: Layer {
    func callAsFunction(_ x: Tensor) -> Tensor
}
