import CPUBackend
import Foundation
import Tensors

/// Milliseconds of every pass of every layer under each CPU kernel, as the backend runs it
/// (bfloat16 timings include converting the pass's inputs and weights; backward-weights is timed
/// right after an untimed backward-data, whose converted output gradient it reuses, as in
/// training), and under `--precision bf16`'s timed choice between the float32 default and bf16.
struct KernelTable {
    struct Layer { let name: String; let cin, cout, size, kernel, stride: Int; let transposed: Bool }
    let layers: [Layer]
    let batch, repeats, rounds: Int

    /// The configurations timed: each kernel forced, and bf16 with the automatic (timed) choice.
    enum Setting: String, CaseIterable { case direct, winograd, bf16, auto }

    func select(_ setting: Setting) {
        let backend = CPUBackend.shared
        switch setting {
        case .direct: try! backend.setConvolutionPrecision(.fp32); backend.convolutionAlgorithm = .direct
        case .winograd: try! backend.setConvolutionPrecision(.fp32); backend.convolutionAlgorithm = .winograd
        case .bf16: try! backend.setConvolutionPrecision(.bf16); backend.convolutionAlgorithm = .direct
        case .auto: try! backend.setConvolutionPrecision(.bf16); backend.convolutionAlgorithm = .auto
        }
    }

    func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, n - s.count))
        return right ? fill + s : s + fill
    }

    func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    struct Measured { var ms: [ConvolutionPass: Double] = [:]; var chosen: [ConvolutionPass: ConvolutionKernel] = [:] }

    /// Median ms of each pass of `layer` under `setting` (NaN where a forced kernel does not
    /// apply), and under `.auto` the kernel chosen for each pass.
    func time(_ L: Layer, _ setting: Setting, using rng: inout SeededGenerator) -> Measured {
        select(setting)
        let backend = CPUBackend.shared
        backend.forgetTimedChoices()
        let wShape = L.transposed ? Shape(L.cin, L.cout, L.kernel, L.kernel) : Shape(L.cout, L.cin, L.kernel, L.kernel)
        let g = ConvGeometry(stride: L.stride, padding: 0)
        var m = Measured()
        if let forced = ConvolutionKernel(rawValue: setting.rawValue) {
            for pass in ConvolutionPass.allCases where backend.kernelCandidates(for: pass, weight: wShape, geometry: g, transposed: L.transposed) != [forced] {
                m.ms[pass] = .nan
            }
            if m.ms.count == 3 { return m }
        }
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
        // Primitive creation, page faults, and under .auto the timed choice of each pass.
        for (pass, run) in [(ConvolutionPass.forward, forward), (.backwardData, backwardData), (.backwardWeights, backwardWeights)] {
            let before = Set(backend.timedChoices.keys)
            run()
            let candidates = backend.kernelCandidates(for: pass, weight: wShape, geometry: g, transposed: L.transposed)
            m.chosen[pass] = backend.timedChoices.first { !before.contains($0.key) }?.value ?? candidates[0]
        }
        if m.ms[.forward] == nil { m.ms[.forward] = 1e3 * median((0..<repeats).map { _ in seconds(forward) }) }
        if m.ms[.backwardData] == nil { m.ms[.backwardData] = 1e3 * median((0..<repeats).map { _ in seconds(backwardData) }) }
        if m.ms[.backwardWeights] == nil {
            m.ms[.backwardWeights] = 1e3 * median((0..<repeats).map { _ in backwardData(); return seconds(backwardWeights) })
        }
        return m
    }

    func run(using rng: inout SeededGenerator) {
        let settings = Setting.allCases
        // samples[layer][setting][pass]: one value per round; the rounds interleave the settings.
        var samples = [[Setting: [ConvolutionPass: [Double]]]](repeating: [:], count: layers.count)
        var choices = [[ConvolutionPass: [ConvolutionKernel]]](repeating: [:], count: layers.count)
        for round in 0..<rounds {
            for (i, L) in layers.enumerated() {
                for s in round % 2 == 0 ? settings : settings.reversed() {
                    let m = time(L, s, using: &rng)
                    for (pass, ms) in m.ms { samples[i][s, default: [:]][pass, default: []].append(ms) }
                    if s == .auto { for (pass, k) in m.chosen { choices[i][pass, default: []].append(k) } }
                }
            }
        }
        print("batch \(batch), \(repeats) timed runs per cell after one warm-up, median of \(rounds) round\(rounds == 1 ? "" : "s"), ms")
        print(pad("layer", 16) + pad("shape", 23) + pad("pass", 18) + pad("f32 direct", 12, right: true) + pad("f32 Winograd", 14, right: true)
              + pad("bf16 direct", 13, right: true) + pad("bf16 auto", 11, right: true) + "  auto chose (per round)")
        var totals: [String: Double] = [:]
        let backend = CPUBackend.shared
        try! backend.setConvolutionPrecision(.fp32)
        backend.convolutionAlgorithm = .auto
        for (i, L) in layers.enumerated() {
            let wShape = L.transposed ? Shape(L.cin, L.cout, L.kernel, L.kernel) : Shape(L.cout, L.cin, L.kernel, L.kernel)
            let g = ConvGeometry(stride: L.stride, padding: 0)
            for pass in ConvolutionPass.allCases {
                let ms = settings.map { median(samples[i][$0]?[pass] ?? [.nan]) }
                let fp32Default = backend.kernelCandidates(for: pass, weight: wShape, geometry: g, transposed: L.transposed)[0]
                let defaultMs = fp32Default == .winograd ? ms[1] : ms[0]
                totals["fp32 (today)", default: 0] += defaultMs
                totals["f32 direct", default: 0] += ms[0]
                totals["bf16 forced", default: 0] += ms[2].isNaN ? defaultMs : ms[2]
                totals["bf16 auto", default: 0] += ms[3]
                totals["best of the three", default: 0] += ms[0..<3].filter { !$0.isNaN }.min()!
                let shape = "\(L.cin)->\(L.cout) \(L.size)^2 k\(L.kernel)\(L.transposed ? " up" : "")"
                func cell(_ v: Double) -> String { v.isNaN ? "–" : String(format: "%.1f", v) }
                print(pad(L.name, 16) + pad(shape, 23) + pad(pass.rawValue, 18) + pad(cell(ms[0]), 12, right: true)
                      + pad(cell(ms[1]), 14, right: true) + pad(cell(ms[2]), 13, right: true) + pad(cell(ms[3]), 11, right: true)
                      + "  " + (choices[i][pass] ?? []).map(\.rawValue).joined(separator: " "))
            }
        }
        print("\nsums over all passes (a forced kernel that does not apply counts as the fp32 default there):")
        for name in ["f32 direct", "fp32 (today)", "bf16 forced", "bf16 auto", "best of the three"] {
            print("  " + pad(name, 19) + String(format: "%8.1f ms", totals[name] ?? 0))
        }
    }
}
