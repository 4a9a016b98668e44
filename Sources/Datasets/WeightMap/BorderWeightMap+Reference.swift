#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension BorderWeightMap {
    /// The border term straight from its definition, in explicit loops over every background
    /// pixel, object and object pixel (no cut-off): the oracle of `borderTerm`. Slow, for tests.
    func referenceBorderTerm(instances: [Int32], height: Int, width: Int) -> [Float] {
        var pixelsOf: [Int32: [(Int, Int)]] = [:]
        for y in 0..<height {
            for x in 0..<width where instances[y * width + x] != 0 {
                pixelsOf[instances[y * width + x], default: []].append((y, x))
            }
        }
        var out = [Float](repeating: 0, count: height * width)
        for y in 0..<height {
            for x in 0..<width where instances[y * width + x] == 0 {
                let distances = pixelsOf.values.map { pixels in
                    pixels.map { p -> Double in
                        let dy = Double(p.0 - y), dx = Double(p.1 - x)
                        return (dy * dy + dx * dx).squareRoot()
                    }.min()!
                }.sorted()
                guard distances.count >= 2 else { continue }
                let d = distances[0] + distances[1]
                out[y * width + x] = Float(Double(borderWeight) * exp(-d * d / Double(2 * sigma * sigma)))
            }
        }
        return out
    }
}
