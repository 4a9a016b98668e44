import Tensors

/// oneDNN's blocked layouts `nChw16c` and `nChw8c` (`Layout.blocked16`, `.blocked8`), b channels a
/// block: element (n, c, h, w) of an [N,C,H,W] tensor lives at
/// ((n·C/b + c/b)·H·W + h·W + w)·b + c mod b. The reference backend never produces them; it only
/// converts tensors that another backend made.
enum BlockedLayout {
    static func offset(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ s: Shape, block b: Int) -> Int {
        (((n * (s.c / b) + c / b) * s.h + h) * s.w + w) * b + c % b
    }

    static func unblock(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, shape s: Shape, block b: Int) {
        for n in 0..<s.n { for c in 0..<s.c { for h in 0..<s.h { for w in 0..<s.w {
            dst[((n * s.c + c) * s.h + h) * s.w + w] = src[offset(n, c, h, w, s, block: b)]
        } } } }
    }

    static func block(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, shape s: Shape, block b: Int) {
        for n in 0..<s.n { for c in 0..<s.c { for h in 0..<s.h { for w in 0..<s.w {
            dst[offset(n, c, h, w, s, block: b)] = src[((n * s.c + c) * s.h + h) * s.w + w]
        } } } }
    }
}

/// NHWC (`Layout.channelsLast`): element (n, c, h, w) lives at ((n·H + h)·W + w)·C + c. The
/// reference backend never produces it; it only converts tensors that another backend made.
enum ChannelsLast {
    static func toPlain(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, shape s: Shape) {
        let hw = s.h * s.w
        for n in 0..<s.n { for c in 0..<s.c { for p in 0..<hw { dst[(n * s.c + c) * hw + p] = src[(n * hw + p) * s.c + c] } } }
    }

    static func fromPlain(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, shape s: Shape) {
        let hw = s.h * s.w
        for n in 0..<s.n { for c in 0..<s.c { for p in 0..<hw { dst[(n * hw + p) * s.c + c] = src[(n * s.c + c) * hw + p] } } }
    }
}
