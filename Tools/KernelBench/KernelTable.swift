import CPUBackend
import Foundation
import Tensors

/// Milliseconds of every pass of every layer under each CPU kernel, as the backend runs it
/// (bfloat16 timings include converting the pass's inputs and weights; backward-weights is timed
/// right after an untimed backward-data, whose converted output gradient it reuses, as in training).
struct KernelTable {
    struct Layer { let name: String; let cin, cout, size, kernel, stride: Int; let transposed: Bool }
    let layers: [Layer]
    let batch, repeats, rounds: Int

    /// The backend settings that make it use `kernel` wherever that kernel applies.
    func select(_ kernel: ConvolutionKernel) {
        let backend = CPUBackend.shared
        switch kernel {
        case .direct: try! backend.setConvolutionPrecision(.fp32); backend.convolutionAlgorithm = .direct
        case .winograd: try! backend.setConvolutionPrecision(.fp32); backend.convolutionAlgorithm = .winograd
        case .bf16: try! backend.setConvolutionPrecision(.bf16); backend.convolutionAlgorithm = .direct
        }
    }

    func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Median ms of each pass of `layer` under `kernel` (nil where the kernel does not apply).
    func time(_ L: Layer, _ kernel: ConvolutionKernel, using rng: inout SeededGenerator) -> [ConvolutionPass: Double] {
        select(kernel)
        let backend = CPUBackend.shared
        let wShape = L.transposed ? Shape(L.cin, L.cout, L.kernel, L.kernel) : Shape(L.cout, L.cin, L.kernel, L.kernel)
        let g = ConvGeometry(stride: L.stride, padding: 0)
        var result: [ConvolutionPass: Double] = [:]
        for pass in ConvolutionPass.allCases where backend.kernel(for: pass, weight: wShape, geometry: g, transposed: L.transposed) != kernel {
            result[pass] = .nan
        }
        if result.count == 3 { return result }
        let x = Tensor.randomNormal(Shape(batch, L.cin, L.size, L.size), std: 1, using: &rng).inLayout(backend.preferredLayout(channels: L.cin))
        let w = Tensor.randomNormal(wShape, std: 0.05, using: &rng)
        var y: Tensor!
        func forward() { y = backend.convolution(x, weight: w, bias: nil, geometry: g, transposed: L.transposed) }
        func backwardData() {
            _ = backend.convolutionBackwardData(y, weight: w, inputShape: x.shape, inputLayout: x.layout, geometry: g, transposed: L.transposed)
        }
        func backwardWeights() {
            _ = backend.convolutionBackwardWeights(x, y, weightShape: wShape, withBias: false, geometry: g, transposed: L.transposed)
        }
        forward(); backwardData(); backwardWeights()   // primitive creation, page faults
        if result[.forward] == nil { result[.forward] = 1e3 * median((0..<repeats).map { _ in seconds(forward) }) }
        if result[.backwardData] == nil { result[.backwardData] = 1e3 * median((0..<repeats).map { _ in seconds(backwardData) }) }
        if result[.backwardWeights] == nil {
            result[.backwardWeights] = 1e3 * median((0..<repeats).map { _ in backwardData(); return seconds(backwardWeights) })
        }
        return result
    }

    func run(using rng: inout SeededGenerator) {
        let kernels = ConvolutionKernel.allCases
        // samples[layer][kernel][pass]: one value per round; the rounds interleave the kernels.
        var samples = [[ConvolutionKernel: [ConvolutionPass: [Double]]]](repeating: [:], count: layers.count)
        for round in 0..<rounds {
            for (i, L) in layers.enumerated() {
                let order = round % 2 == 0 ? kernels : kernels.reversed()
                for k in order {
                    for (pass, ms) in time(L, k, using: &rng) { samples[i][k, default: [:]][pass, default: []].append(ms) }
                }
            }
        }
        // The rule's choice under bf16 with the automatic algorithm.
        let backend = CPUBackend.shared
        try! backend.setConvolutionPrecision(.bf16)
        backend.convolutionAlgorithm = .auto
        print("batch \(batch), \(repeats) timed runs per cell after one warm-up, median of \(rounds) round\(rounds == 1 ? "" : "s"), ms")
        print("layer           shape                  pass              f32 direct  f32 Winograd  bf16 direct  rule      fastest")
        var totals: [String: Double] = [:]
        for (i, L) in layers.enumerated() {
            let wShape = L.transposed ? Shape(L.cin, L.cout, L.kernel, L.kernel) : Shape(L.cout, L.cin, L.kernel, L.kernel)
            let g = ConvGeometry(stride: L.stride, padding: 0)
            for pass in ConvolutionPass.allCases {
                let ms = kernels.map { median(samples[i][$0]?[pass] ?? [.nan]) }
                let rule = backend.kernel(for: pass, weight: wShape, geometry: g, transposed: L.transposed)
                let valid = zip(kernels, ms).filter { !$0.1.isNaN }
                let fastest = valid.min { $0.1 < $1.1 }!
                // Where a kernel does not apply, the backend uses the fp32 default for the pass in its place.
                func cost(_ k: ConvolutionKernel) -> Double {
                    let v = ms[kernels.firstIndex(of: k)!]
                    return v.isNaN ? (ms[1].isNaN ? ms[0] : ms[1]) : v
                }
                totals["f32 default", default: 0] += ms[1].isNaN ? ms[0] : ms[1]
                totals["f32 direct", default: 0] += ms[0]
                totals["bf16 everywhere", default: 0] += cost(.bf16)
                totals["rule", default: 0] += cost(rule)
                totals["fastest", default: 0] += fastest.1
                let shape = "\(L.cin)->\(L.cout) \(L.size)^2 k\(L.kernel)\(L.transposed ? " up" : "")"
                func cell(_ v: Double) -> String { v.isNaN ? "–" : String(format: "%.1f", v) }
                print(String(format: "%-15@ %-22@ %-17@ %10@  %12@  %11@  %-9@ %@", L.name as NSString, shape as NSString,
                             pass.rawValue as NSString, cell(ms[0]) as NSString, cell(ms[1]) as NSString, cell(ms[2]) as NSString,
                             rule.rawValue as NSString, fastest.0.rawValue as NSString))
            }
        }
        print("\nsums over all passes (a kernel that does not apply counts as the fp32 default there):")
        for name in ["f32 direct", "f32 default", "bf16 everywhere", "rule", "fastest"] {
            print(String(format: "  %-16@ %8.1f ms", name as NSString, totals[name] ?? 0))
        }
    }
}
