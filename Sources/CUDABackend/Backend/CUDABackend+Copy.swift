import CCUDALoader
import Tensors

/// Channel concatenation and split, crops, nearest up-sampling: the `copy` kernels, in the
/// input's layout (NCHW or NHWC).
extension CUDABackend {
    public func concatChannels(_ xs: [Tensor]) -> Tensor {
        precondition(!xs.isEmpty, "[concat] no inputs")
        let s0 = xs[0].shape
        precondition(xs.allSatisfy { $0.shape.n == s0.n && $0.shape.h == s0.h && $0.shape.w == s0.w }, "[concat] \(xs.map(\.shape))")
        let total = xs.reduce(0) { $0 + $1.shape.c }
        // The parts' own layout when they share one, else the backend's; the parts are brought there.
        let layout = xs.allSatisfy { $0.layout == xs[0].layout } ? xs[0].layout : activationLayout
        let y = tensor(Shape(s0.n, total, s0.h, s0.w), layout: layout)
        var offset = 0
        for x in xs {
            let x = relayout(x, to: layout)
            launch("place_channels", .copy, count: x.count,
                   [.pointer(address(x)), .pointer(address(y)), .int(Int32(s0.n)), .int(Int32(x.shape.c)), .int(Int32(total)),
                    .int(Int32(offset)), .long(Int64(s0.h * s0.w)), nhwc(y)])
            offset += x.shape.c
        }
        return y
    }

    public func splitChannels(_ dy: Tensor, channels: [Int]) -> [Tensor] {
        let s = dy.shape
        precondition(channels.reduce(0, +) == s.c, "[split] \(channels) of \(s)")
        var offset = 0
        return channels.map { c in
            let part = tensor(Shape(s.n, c, s.h, s.w), layout: dy.layout)
            launch("take_channels", .copy, count: part.count,
                   [.pointer(address(dy)), .pointer(address(part)), .int(Int32(s.n)), .int(Int32(c)), .int(Int32(s.c)), .int(Int32(offset)),
                    .long(Int64(s.h * s.w)), nhwc(dy)])
            offset += c
            return part
        }
    }

    public func crop(_ x: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor {
        let s = x.shape
        precondition(top >= 0 && left >= 0 && top + height <= s.h && left + width <= s.w, "[crop] \(height)x\(width) at (\(top), \(left)) of \(s)")
        let y = tensor(Shape(s.n, s.c, height, width), layout: x.layout)
        launch("crop", .copy, count: y.count,
               [.pointer(address(x)), .pointer(address(y)), .int(Int32(s.n)), .int(Int32(s.c)), .int(Int32(s.h)), .int(Int32(s.w)),
                .int(Int32(top)), .int(Int32(left)), .int(Int32(height)), .int(Int32(width)), nhwc(x)])
        return y
    }

    public func cropBackward(_ dy: Tensor, shape s: Shape, top: Int, left: Int) -> Tensor {
        let d = dy.shape
        let dx = tensor(s, layout: dy.layout)
        zero(dx.storage, bytes: s.count * 4)
        launch("crop_backward", .copy, count: dy.count,
               [.pointer(address(dy)), .pointer(address(dx)), .int(Int32(s.n)), .int(Int32(s.c)), .int(Int32(s.h)), .int(Int32(s.w)),
                .int(Int32(top)), .int(Int32(left)), .int(Int32(d.h)), .int(Int32(d.w)), nhwc(dy)])
        return dx
    }

    public func upsampleNearest2x(_ x: Tensor) -> Tensor {
        let s = x.shape
        let y = tensor(Shape(s.n, s.c, 2 * s.h, 2 * s.w), layout: x.layout)
        launch("upsample_nearest2x", .copy, count: y.count,
               [.pointer(address(x)), .pointer(address(y)), .int(Int32(s.n)), .int(Int32(s.c)), .int(Int32(s.h)), .int(Int32(s.w)), nhwc(x)])
        return y
    }

    public func upsampleNearest2xBackward(_ dy: Tensor) -> Tensor {
        let s = dy.shape
        precondition(s.h % 2 == 0 && s.w % 2 == 0, "[upsample backward] odd \(s)")
        let dx = tensor(Shape(s.n, s.c, s.h / 2, s.w / 2), layout: dy.layout)
        launch("upsample_nearest2x_backward", .copy, count: dx.count,
               [.pointer(address(dy)), .pointer(address(dx)), .int(Int32(s.n)), .int(Int32(s.c)), .int(Int32(s.h / 2)), .int(Int32(s.w / 2)), nhwc(dy)])
        return dx
    }
}
