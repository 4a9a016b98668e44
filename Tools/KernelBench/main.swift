// Kernel benchmark: forward, backward-data and backward-weights of every convolution and
// transposed convolution of the paper's U-Net (depth 4, width 64, 572×572 input, valid padding,
// batch 1), in GFLOP/s, beside the machine's SGEMM rate measured in the same run.
// Each kernel is first checked against the plain-loop reference on a small shape.
//
// With --kernels, instead: milliseconds of every pass of every layer computed by each of the CPU
// backend's kernels (float32 direct, float32 Winograd, bfloat16 direct including its conversions
// of inputs and weights), the kernel the bf16 rule picks and the fastest; for the paper's network
// (--config A) or the small one (--config B: width 16, 316² input, batch 4). --rounds N repeats
// the whole table N times, interleaving the kernels, and reports per cell the median of the rounds.
//
//   swift run -c release KernelBench [--threads N] [--repeats R] [--kernels [--config A|B] [--rounds N]]
import CDNNL
import CPUBackend
import Foundation
import ReferenceBackend
import Tensors

var threads = ProcessInfo.processInfo.activeProcessorCount
var repeats = 3
var kernelTable = false
var config = "A"
var rounds = 1
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--threads": threads = Int(args.next() ?? "") ?? threads
    case "--repeats": repeats = Int(args.next() ?? "") ?? repeats
    case "--kernels": kernelTable = true
    case "--config": config = args.next() ?? config
    case "--rounds": rounds = Int(args.next() ?? "") ?? rounds
    default: print("usage: KernelBench [--threads N] [--repeats R] [--kernels [--config A|B] [--rounds N]]"); exit(2)
    }
}
guard config == "A" || config == "B" else { print("--config takes A or B"); exit(2) }
Backend.use(CPUBackend.shared)
do { try ComputeThreads.set(threads) } catch { print("\(error)"); exit(2) }

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

/// Median time of `repeats` runs after one warm-up run (primitive creation, page faults).
func timeIt(_ body: () -> Void) -> Double {
    body()
    return median((0..<repeats).map { _ in seconds(body) })
}

// 1. Correctness gate: the fast path against the reference on a small shape.
var rng = SeededGenerator(seed: 1)
do {
    let xs = Shape(1, 16, 9, 9), ws = Shape(32, 16, 3, 3)
    let x = (0..<xs.count).map { _ in rng.nextGaussian() }, w = (0..<ws.count).map { _ in rng.nextGaussian() }
    let ref = ReferenceConvolution.forward(x: x, xShape: xs, w: w, wShape: ws, b: nil, stride: 1, padding: 0)
    let y = conv2d(Tensor(shape: xs, scalars: x).inLayout(.blocked16), weight: Tensor(shape: ws, scalars: w)).scalars
    let err = zip(y, ref.y).map { abs($0 - $1) }.max()!
    guard err < 1e-3 else { print("convolution disagrees with the reference (max error \(err)); not benchmarking"); exit(1) }
    print("check: convolution matches the reference (max abs error \(String(format: "%.2e", err)))")
}

// 2. The machine's SGEMM rate (oneDNN's sgemm, square 2048).
let n = 2048
let a = [Float](repeating: 1, count: n * n), b = [Float](repeating: 0.5, count: n * n)
var c = [Float](repeating: 0, count: n * n)
let gemmTime = timeIt { _ = dnnl_sgemm(78, 78, Int64(n), Int64(n), Int64(n), 1, a, Int64(n), b, Int64(n), 0, &c, Int64(n)) }
let gemmRate = 2 * Double(n * n * n) / gemmTime / 1e9
print(String(format: "SGEMM %dx%d: %.1f GFLOP/s (%d threads)\n", n, n, gemmRate, threads))

// 3. The layer shapes: the paper's (config A), or config B's (width 16, 316² input, batch 4).
struct Layer { let name: String; let cin, cout, size, kernel, stride: Int; let transposed: Bool }
var layers: [Layer] = []
let batch = config == "A" ? 1 : 4
var size = config == "A" ? 572 : 316
var widths = config == "A" ? [64, 128, 256, 512, 1024] : [16, 32, 64, 128, 256]
var cin = 1
for (l, w) in widths.enumerated() {
    layers.append(Layer(name: "enc\(l).conv1", cin: cin, cout: w, size: size, kernel: 3, stride: 1, transposed: false))
    layers.append(Layer(name: "enc\(l).conv2", cin: w, cout: w, size: size - 2, kernel: 3, stride: 1, transposed: false))
    size = (size - 4) / 2
    cin = w
}
size *= 2   // the bottleneck's output: the first up-convolution's input
for l in stride(from: 3, through: 0, by: -1) {
    let w = widths[l]
    layers.append(Layer(name: "dec\(l).up", cin: 2 * w, cout: w, size: size, kernel: 2, stride: 2, transposed: true))
    size *= 2
    layers.append(Layer(name: "dec\(l).conv1", cin: 2 * w, cout: w, size: size, kernel: 3, stride: 1, transposed: false))
    layers.append(Layer(name: "dec\(l).conv2", cin: w, cout: w, size: size - 2, kernel: 3, stride: 1, transposed: false))
    size -= 4
}
layers.append(Layer(name: "head", cin: widths[0], cout: 2, size: size, kernel: 1, stride: 1, transposed: false))

let backend = CPUBackend.shared
if kernelTable {
    KernelTable(layers: layers.map { KernelTable.Layer(name: $0.name, cin: $0.cin, cout: $0.cout, size: $0.size,
                                                       kernel: $0.kernel, stride: $0.stride, transposed: $0.transposed) },
                batch: batch, repeats: repeats, rounds: rounds).run(using: &rng)
    exit(0)
}
print("layer           shape                      fwd GF/s  bwd-data  bwd-wts   fwd ms")
var totals = (flops: 0.0, fwd: 0.0, bd: 0.0, bw: 0.0)
for L in layers {
    let xLayout = backend.preferredLayout(channels: L.cin)
    let x = Tensor.randomNormal(Shape(batch, L.cin, L.size, L.size), std: 1, using: &rng).inLayout(xLayout)
    let wShape = L.transposed ? Shape(L.cin, L.cout, L.kernel, L.kernel) : Shape(L.cout, L.cin, L.kernel, L.kernel)
    let w = Tensor.randomNormal(wShape, std: 0.05, using: &rng)
    let g = ConvGeometry(stride: L.stride, padding: 0)
    var y: Tensor!
    let fwd = timeIt { y = backend.convolution(x, weight: w, bias: nil, geometry: g, transposed: L.transposed) }
    let bd = timeIt { _ = backend.convolutionBackwardData(y, weight: w, inputShape: x.shape, inputLayout: x.layout, geometry: g, transposed: L.transposed) }
    let bw = timeIt { _ = backend.convolutionBackwardWeights(x, y, weightShape: wShape, withBias: false, geometry: g, transposed: L.transposed) }
    let outPixels = Double(batch * y.shape.h * y.shape.w), inPixels = Double(batch * L.size * L.size)
    let flops = 2 * Double(L.cin * L.cout * L.kernel * L.kernel) * (L.transposed ? inPixels : outPixels)
    totals.flops += flops; totals.fwd += fwd; totals.bd += bd; totals.bw += bw
    let shape = "\(L.cin)->\(L.cout) \(L.size)^2 k\(L.kernel)\(L.transposed ? " up" : "")"
    print(String(format: "%-15@ %-25@ %8.1f  %8.1f  %7.1f  %7.1f", L.name as NSString, shape as NSString,
                 flops / fwd / 1e9, flops / bd / 1e9, flops / bw / 1e9, fwd * 1e3))
}
print(String(format: "\nall layers: forward %.0f ms (%.1f GFLOP/s), backward-data %.0f ms (%.1f), backward-weights %.0f ms (%.1f)",
             totals.fwd * 1e3, totals.flops / totals.fwd / 1e9, totals.bd * 1e3, totals.flops / totals.bd / 1e9,
             totals.bw * 1e3, totals.flops / totals.bw / 1e9))
print(String(format: "forward rate is %.0f%% of the SGEMM rate measured above", 100 * totals.flops / totals.fwd / 1e9 / gemmRate))
