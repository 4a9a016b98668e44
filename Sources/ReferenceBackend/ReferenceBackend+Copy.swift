import Tensors

/// Concatenation, crops and nearest up-sampling, element by element on plain NCHW tensors.
extension ReferenceBackend {
    /// The flat index of (n, c, y, x) in a plain tensor of shape s.
    func index(_ s: Shape, _ n: Int, _ c: Int, _ y: Int, _ x: Int) -> Int { ((n * s.c + c) * s.h + y) * s.w + x }

    public func concatChannels(_ xs: [Tensor]) -> Tensor {
        let first = xs[0].shape
        let out = Shape(first.n, xs.reduce(0) { $0 + $1.shape.c }, first.h, first.w)
        let y = Tensor(shape: out)
        var channelOffset = 0
        for part in xs.map(plain) {
            let s = part.shape
            for n in 0..<s.n {
                for c in 0..<s.c {
                    for i in 0..<s.h {
                        for j in 0..<s.w { y.pointer[index(out, n, channelOffset + c, i, j)] = part.pointer[index(s, n, c, i, j)] }
                    }
                }
            }
            channelOffset += s.c
        }
        return y
    }

    public func splitChannels(_ dy: Tensor, channels: [Int]) -> [Tensor] {
        let dy = plain(dy), s = dy.shape
        var channelOffset = 0
        return channels.map { count in
            let part = Shape(s.n, count, s.h, s.w)
            let dx = Tensor(shape: part)
            for n in 0..<s.n {
                for c in 0..<count {
                    for i in 0..<s.h {
                        for j in 0..<s.w { dx.pointer[index(part, n, c, i, j)] = dy.pointer[index(s, n, channelOffset + c, i, j)] }
                    }
                }
            }
            channelOffset += count
            return dx
        }
    }

    public func crop(_ x: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor {
        let x = plain(x), s = x.shape
        let out = Shape(s.n, s.c, height, width)
        let y = Tensor(shape: out)
        for n in 0..<s.n {
            for c in 0..<s.c {
                for i in 0..<height {
                    for j in 0..<width { y.pointer[index(out, n, c, i, j)] = x.pointer[index(s, n, c, top + i, left + j)] }
                }
            }
        }
        return y
    }

    public func cropBackward(_ dy: Tensor, shape: Shape, top: Int, left: Int) -> Tensor {
        let dy = plain(dy), w = dy.shape
        let dx = Tensor.zeros(shape)
        for n in 0..<w.n {
            for c in 0..<w.c {
                for i in 0..<w.h {
                    for j in 0..<w.w { dx.pointer[index(shape, n, c, top + i, left + j)] = dy.pointer[index(w, n, c, i, j)] }
                }
            }
        }
        return dx
    }

    public func upsampleNearest2x(_ x: Tensor) -> Tensor {
        let x = plain(x), s = x.shape
        let out = Shape(s.n, s.c, 2 * s.h, 2 * s.w)
        let y = Tensor(shape: out)
        for n in 0..<s.n {
            for c in 0..<s.c {
                for i in 0..<out.h {
                    for j in 0..<out.w { y.pointer[index(out, n, c, i, j)] = x.pointer[index(s, n, c, i / 2, j / 2)] }
                }
            }
        }
        return y
    }

    public func upsampleNearest2xBackward(_ dy: Tensor) -> Tensor {
        let dy = plain(dy), big = dy.shape
        let s = Shape(big.n, big.c, big.h / 2, big.w / 2)
        let dx = Tensor(shape: s)
        for n in 0..<s.n {
            for c in 0..<s.c {
                for i in 0..<s.h {
                    for j in 0..<s.w {
                        // The four pixels copied from (i, j), summed in row order.
                        var sum: Float = 0
                        for di in 0..<2 {
                            for dj in 0..<2 { sum += dy.pointer[index(big, n, c, 2 * i + di, 2 * j + dj)] }
                        }
                        dx.pointer[index(s, n, c, i, j)] = sum
                    }
                }
            }
        }
        return dx
    }
}
