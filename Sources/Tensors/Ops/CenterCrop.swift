/// The central `height`×`width` window of x: [N,C,H,W] → [N,C,height,width], starting at
/// row (H − height)/2 and column (W − width)/2 (rounded down). This is how the U-Net crops an
/// encoder map to the decoder's size before concatenating, and a valid-padding residual block
/// its skip path. Gradient: dy placed back in the window, zeros elsewhere.
public func centerCrop(_ x: Tensor, height: Int, width: Int) -> Tensor {
    let s = x.shape
    precondition(s.rank == 4 && height <= s.h && width <= s.w, "[center_crop] cannot crop \(s) to \(height)x\(width)")
    if height == s.h && width == s.w { return x }
    let top = (s.h - height) / 2, left = (s.w - width) / 2
    let backend = Backend.current
    let y = backend.crop(x, top: top, left: left, height: height, width: width)
    let layout = x.layout
    Tape.record(y, inputs: [x]) { dy in
        [backend.cropBackward(dy, shape: s, top: top, left: left).inLayout(layout)]
    }
    return y
}
