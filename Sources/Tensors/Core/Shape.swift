/// The dimensions of a tensor, outermost first. Activations are always 4-D NCHW
/// (batch, channels, height, width); weights are OIHW for convolutions and
/// (in, out, kh, kw) for transposed convolutions, as in PyTorch.
public struct Shape: Hashable, CustomStringConvertible, Sendable {
    public var dims: [Int]

    public init(_ dims: [Int]) {
        precondition(dims.allSatisfy { $0 >= 0 }, "[Shape] negative dimension in \(dims)")
        self.dims = dims
    }

    public init(_ dims: Int...) { self.init(dims) }

    public var rank: Int { dims.count }
    public var count: Int { dims.reduce(1, *) }
    public subscript(i: Int) -> Int { dims[i] }

    /// Batch, channels, height and width of a 4-D shape.
    public var n: Int { precondition(rank == 4, "[Shape] \(self) is not NCHW"); return dims[0] }
    public var c: Int { precondition(rank == 4, "[Shape] \(self) is not NCHW"); return dims[1] }
    public var h: Int { precondition(rank == 4, "[Shape] \(self) is not NCHW"); return dims[2] }
    public var w: Int { precondition(rank == 4, "[Shape] \(self) is not NCHW"); return dims[3] }

    public var description: String { "[" + dims.map(String.init).joined(separator: ",") + "]" }
}
