import ImageCodecs

extension Image {
    /// The image whose pixel (x, y) is this image's pixel (`columns[x]`, `rows[y]`): the shared
    /// core of nearest-neighbour resizing and mirrored windows. Sample type, channels and palette are kept.
    func gathering(rows: [Int], columns: [Int]) -> Image {
        func gather<T>(_ s: [T]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(rows.count * columns.count * channels)
            for y in rows {
                for x in columns {
                    let base = (y * width + x) * channels
                    for c in 0..<channels { out.append(s[base + c]) }
                }
            }
            return out
        }
        switch samples {
        case .uint8(let s): return Image(width: columns.count, height: rows.count, channels: channels, samples: gather(s), palette: palette)
        case .uint16(let s): return Image(width: columns.count, height: rows.count, channels: channels, samples16: gather(s))
        case .float32(let s): return Image(width: columns.count, height: rows.count, channels: channels, floatSamples: gather(s))
        }
    }
}
