import Tensors

/// Max pooling's argmax for the backward pass: the flat plain index in the input of each output's maximum.
final class MaxPoolIndices {
    let indices: [Int]
    init(_ indices: [Int]) { self.indices = indices }
}

/// Pooling without padding; in ceil mode the last window may hang over the right/bottom edge and
/// covers only the elements inside the input (average divides by their count, as PyTorch does).
extension ReferenceBackend {
    /// The input rows (or columns) that output position `o` of a window reads.
    private func window(_ o: Int, _ g: PoolGeometry, size: Int) -> Range<Int> {
        (o * g.stride)..<min(o * g.stride + g.kernel, size)
    }

    public func pool(_ x: Tensor, kind: PoolKind, geometry g: PoolGeometry, training: Bool) -> (y: Tensor, context: AnyObject?) {
        precondition(x.shape.h >= g.kernel && x.shape.w >= g.kernel, "[pool] input \(x.shape) smaller than the \(g.kernel)x\(g.kernel) window")
        let x = plain(x)
        let s = x.shape
        let (oh, ow) = (g.output(s.h), g.output(s.w))
        let y = Tensor(shape: Shape(s.n, s.c, oh, ow))
        var argmax = [Int](repeating: 0, count: kind == .max ? y.count : 0)
        for n in 0..<s.n { for c in 0..<s.c { for i in 0..<oh { for j in 0..<ow {
            let out = ((n * s.c + c) * oh + i) * ow + j
            var best = -Float.infinity, bestIndex = -1, sum: Double = 0, count = 0
            for yy in window(i, g, size: s.h) { for xx in window(j, g, size: s.w) {
                let k = ((n * s.c + c) * s.h + yy) * s.w + xx
                let v = x.pointer[k]
                if v > best || bestIndex < 0 { best = v; bestIndex = k }   // the first maximum wins ties
                sum += Double(v)
                count += 1
            } }
            if kind == .max {
                y.pointer[out] = best
                argmax[out] = bestIndex
            } else {
                y.pointer[out] = Float(sum / Double(count))
            }
        } } } }
        return (y, kind == .max ? MaxPoolIndices(argmax) : nil)
    }

    public func poolBackward(_ dy: Tensor, inputShape s: Shape, inputLayout: Layout, kind: PoolKind, geometry g: PoolGeometry,
                             context: AnyObject?) -> Tensor {
        let dy = plain(dy)
        let dx = Tensor.zeros(s)
        let (oh, ow) = (dy.shape.h, dy.shape.w)
        if kind == .max {
            guard let argmax = context as? MaxPoolIndices else { fatalError("[max_pool2d] backward without the forward's indices") }
            for out in 0..<dy.count { dx.pointer[argmax.indices[out]] += dy.pointer[out] }
            return dx
        }
        for n in 0..<s.n { for c in 0..<s.c { for i in 0..<oh { for j in 0..<ow {
            let rows = window(i, g, size: s.h), cols = window(j, g, size: s.w)
            let share = dy.pointer[((n * s.c + c) * oh + i) * ow + j] / Float(rows.count * cols.count)
            for yy in rows { for xx in cols { dx.pointer[((n * s.c + c) * s.h + yy) * s.w + xx] += share } }
        } } } }
        return dx
    }
}
