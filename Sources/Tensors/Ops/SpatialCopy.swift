/// Row-wise copies between spatial windows of two NCHW tensors in the same layout.
/// In both layouts a tensor is `planes` planes of H×W "pixels" of `vector` floats:
/// plain: planes = N·C, vector = 1; blocked16: planes = N·C/16, vector = 16.
struct PlaneGeometry {
    let planes, height, width, vector: Int

    init(_ t: Tensor) {
        let s = t.shape
        vector = t.layout == .blocked16 ? 16 : 1
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
