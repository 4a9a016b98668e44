/// Stride and padding of a 2-D convolution or transposed convolution (dilation 1).
public struct ConvGeometry: Hashable, Sendable, CustomStringConvertible {
    public var strideH, strideW: Int
    public var padH, padW: Int

    public init(stride: Int = 1, padding: Int = 0) {
        precondition(stride >= 1 && padding >= 0, "[ConvGeometry] stride \(stride), padding \(padding)")
        strideH = stride; strideW = stride; padH = padding; padW = padding
    }

    /// Output size of a convolution: (in + 2·pad − k) / stride + 1.
    public func convOutput(_ size: Int, kernel: Int, vertical: Bool) -> Int {
        let (s, p) = vertical ? (strideH, padH) : (strideW, padW)
        return (size + 2 * p - kernel) / s + 1
    }

    /// Output size of a transposed convolution: (in − 1)·stride − 2·pad + k.
    public func deconvOutput(_ size: Int, kernel: Int, vertical: Bool) -> Int {
        let (s, p) = vertical ? (strideH, padH) : (strideW, padW)
        return (size - 1) * s - 2 * p + kernel
    }

    public var description: String { "s\(strideH)x\(strideW)p\(padH)x\(padW)" }
}

/// Window, stride and ceil mode of a 2-D pooling (no padding).
public struct PoolGeometry: Hashable, Sendable {
    public var kernel: Int
    public var stride: Int
    public var ceilMode: Bool

    public init(kernel: Int = 2, stride: Int = 2, ceilMode: Bool = false) {
        self.kernel = kernel; self.stride = stride; self.ceilMode = ceilMode
    }

    /// Output size as PyTorch computes it (a ceil-mode window must start inside the input).
    public func output(_ size: Int) -> Int {
        if ceilMode {
            var o = (size - kernel + stride - 1) / stride + 1
            if (o - 1) * stride >= size { o -= 1 }
            return o
        }
        return (size - kernel) / stride + 1
    }

    /// Implicit right/bottom padding that makes a floor-mode primitive produce `output(size)`.
    public func rightPadding(_ size: Int) -> Int { max(0, (output(size) - 1) * stride + kernel - size) }
}

/// Pooling operation.
public enum PoolKind: Hashable, Sendable { case max, average }
