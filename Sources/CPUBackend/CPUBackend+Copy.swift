import Tensors

/// Concatenation, crops and nearest up-sampling: memory copies in the tensors' own layout. In plain and
/// blocked layouts each sample's channels are one contiguous chunk, and a tensor is `planes` planes of
/// H×W "pixels" of `vector` floats, so blocked tensors stay blocked.
extension CPUBackend {
    public func concatChannels(_ xs: [Tensor]) -> Tensor {
        let first = xs[0].shape
        let layout: Layout = xs.allSatisfy { $0.layout == xs[0].layout && $0.layout.channelBlock != nil } ? xs[0].layout : .plain
        let parts = xs.map { $0.inLayout(layout) }
        let channels = xs.reduce(0) { $0 + $1.shape.c }
        let y = Tensor(shape: Shape(first.n, channels, first.h, first.w), layout: layout)
        let plane = first.h * first.w
        var offset = 0
        for part in parts {
            let chunk = part.shape.c * plane
            for n in 0..<first.n {
                (y.pointer + n * channels * plane + offset).update(from: part.pointer + n * chunk, count: chunk)
            }
            offset += chunk
        }
        return y
    }

    /// Parts in dy's layout when every part can have it (blocked parts need multiples of its block).
    public func splitChannels(_ dy: Tensor, channels: [Int]) -> [Tensor] {
        let s = dy.shape
        let layout: Layout = dy.layout.channelBlock.map { b in channels.allSatisfy { $0 % b == 0 } } == true ? dy.layout : .plain
        let dy = dy.inLayout(layout)
        let plane = s.h * s.w
        var grads: [Tensor] = []
        var offset = 0
        for c in channels {
            let chunk = c * plane
            let dx = Tensor(shape: Shape(s.n, c, s.h, s.w), layout: layout)
            for n in 0..<s.n {
                (dx.pointer + n * chunk).update(from: dy.pointer + n * s.c * plane + offset, count: chunk)
            }
            grads.append(dx)
            offset += chunk
        }
        return grads
    }

    public func crop(_ x: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor {
        let x = asPlanes(x), s = x.shape
        let y = Tensor(shape: Shape(s.n, s.c, height, width), layout: x.layout)
        copyWindow(from: x, top: top, left: left, to: y, dstTop: 0, dstLeft: 0, height: height, width: width)
        return y
    }

    public func cropBackward(_ dy: Tensor, shape: Shape, top: Int, left: Int) -> Tensor {
        let layout: Layout = dy.layout.channelBlock != nil && dy.layout.fits(shape) ? dy.layout : .plain
        let dy = dy.inLayout(layout)
        let dx = Tensor.zeros(shape, layout: layout)
        copyWindow(from: dy, top: 0, left: 0, to: dx, dstTop: top, dstLeft: left, height: dy.shape.h, width: dy.shape.w)
        return dx
    }

    public func upsampleNearest2x(_ x: Tensor) -> Tensor {
        let x = asPlanes(x), s = x.shape
        let y = Tensor(shape: Shape(s.n, s.c, 2 * s.h, 2 * s.w), layout: x.layout)
        let g = PlaneGeometry(x), v = g.vector
        for plane in 0..<g.planes {
            for i in 0..<(2 * s.h) {
                for j in 0..<(2 * s.w) {
                    let src = x.pointer + ((plane * s.h + i / 2) * s.w + j / 2) * v
                    (y.pointer + ((plane * 2 * s.h + i) * 2 * s.w + j) * v).update(from: src, count: v)
                }
            }
        }
        return y
    }

    public func upsampleNearest2xBackward(_ dy: Tensor) -> Tensor {
        let dy = asPlanes(dy)
        let s = Shape(dy.shape.n, dy.shape.c, dy.shape.h / 2, dy.shape.w / 2)
        let dx = Tensor.zeros(s, layout: dy.layout)
        let g = PlaneGeometry(dx), v = g.vector
        for plane in 0..<g.planes {
            for i in 0..<(2 * s.h) {
                for j in 0..<(2 * s.w) {
                    let d = dx.pointer + ((plane * s.h + i / 2) * s.w + j / 2) * v
                    let src = dy.pointer + ((plane * 2 * s.h + i) * 2 * s.w + j) * v
                    for k in 0..<v { d[k] += src[k] }
                }
            }
        }
        return dx
    }
}

extension CPUBackend {
    /// `x` in a layout that is a stack of planes (plain or blocked): an NHWC tensor, which this
    /// backend only receives from elsewhere, is converted to plain.
    func asPlanes(_ x: Tensor) -> Tensor { x.layout == .channelsLast ? relayout(x, to: .plain) : x }
}

/// A tensor as `planes` planes of H×W "pixels" of `vector` floats:
/// plain: planes = N·C, vector = 1; blocked with b channels a block: planes = N·C/b, vector = b.
struct PlaneGeometry {
    let planes, height, width, vector: Int

    init(_ t: Tensor) {
        let s = t.shape
        precondition(t.layout != .channelsLast, "[cpu] NHWC tensors are not copied as planes")
        vector = t.layout.channelBlock ?? 1
        planes = s.n * s.c / vector
        height = s.h
        width = s.w
    }
}

/// Copies the `height`×`width` window at (top, left) of `src` to the one at (dstTop, dstLeft) of `dst`.
func copyWindow(from src: Tensor, top: Int, left: Int, to dst: Tensor, dstTop: Int, dstLeft: Int, height: Int, width: Int) {
    precondition(src.layout == dst.layout, "[copyWindow] layouts differ")
    let s = PlaneGeometry(src), d = PlaneGeometry(dst)
    let v = s.vector, rowFloats = width * v
    let sp = src.pointer, dp = dst.pointer
    for plane in 0..<s.planes {
        for y in 0..<height {
            let from = ((plane * s.height + top + y) * s.width + left) * v
            let to = ((plane * d.height + dstTop + y) * d.width + dstLeft) * v
            (dp + to).update(from: sp + from, count: rowFloats)
        }
    }
}
