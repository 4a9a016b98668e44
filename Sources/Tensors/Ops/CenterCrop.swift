/// The central `height`×`width` window of x: [N,C,H,W] → [N,C,height,width], starting at
/// row (H − height)/2 and column (W − width)/2 (rounded down). This is how the U-Net crops an
/// encoder map to the decoder's size before concatenating, and a valid-padding residual block
/// its skip path. Gradient: dy placed back in the window, zeros elsewhere.
public func centerCrop(_ x: Tensor, height: Int, width: Int) -> Tensor {
    let s = x.shape
    precondition(height <= s.h && width <= s.w, "[center_crop] cannot crop \(s) to \(height)x\(width)")
    if height == s.h && width == s.w { return x }
    let top = (s.h - height) / 2, left = (s.w - width) / 2
    let y = Tensor(shape: Shape(s.n, s.c, height, width), layout: x.layout)
    copyWindow(from: x, top: top, left: left, to: y, dstTop: 0, dstLeft: 0, height: height, width: width)
    let layout = x.layout
    Tape.record(y, inputs: [x]) { dy in
        let dy = dy.inLayout(layout)
        let dx = Tensor.zeros(s, layout: layout)
        copyWindow(from: dy, top: 0, left: 0, to: dx, dstTop: top, dstLeft: left, height: height, width: width)
        return [dx]
    }
    return y
}
