/// Which neighbours join two pixels into one connected component.
public enum Connectivity: Sendable, Equatable {
    /// Edge neighbours only (up, down, left, right).
    case four
    /// Edge and corner neighbours.
    case eight
}

/// Labels the connected components of the pixels of class `foregroundClass` in a
/// `height × width` class mask.
///
/// Returns `height × width` labels (0 for pixels of other classes, 1...count for components,
/// numbered in raster order of their first pixel) and the number of components.
public func labelConnectedComponents(_ mask: [Int32], height: Int, width: Int, foregroundClass: Int32,
                                     connectivity: Connectivity = .four) -> (labels: [Int32], count: Int) {
    precondition(mask.count == height * width, "[labelConnectedComponents] \(mask.count) values for \(height)×\(width)")
    var labels = [Int32](repeating: 0, count: mask.count)
    var count: Int32 = 0
    var stack: [Int] = []
    let offsets: [(Int, Int)] = connectivity == .four
        ? [(-1, 0), (1, 0), (0, -1), (0, 1)]
        : [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]
    mask.withUnsafeBufferPointer { m in
        labels.withUnsafeMutableBufferPointer { l in
            for start in 0..<m.count where m[start] == foregroundClass && l[start] == 0 {
                count += 1
                l[start] = count
                stack.append(start)
                while let p = stack.popLast() {
                    let y = p / width, x = p % width
                    for (dy, dx) in offsets {
                        let ny = y + dy, nx = x + dx
                        guard ny >= 0, ny < height, nx >= 0, nx < width else { continue }
                        let q = ny * width + nx
                        if m[q] == foregroundClass && l[q] == 0 {
                            l[q] = count
                            stack.append(q)
                        }
                    }
                }
            }
        }
    }
    return (labels, Int(count))
}
