import Tensors
import CDNNL
import Foundation

/// The machine's single-precision matrix-multiply rate: oneDNN's `dnnl_sgemm` on square n×n
/// matrices with the current `ComputeThreads.count`, median of `repeats` runs after one warm-up,
/// in GFLOP/s (2·n³ FLOPs per product). The yardstick the benchmarks quote achieved rates against.
public func measureSGEMMRate(n: Int = 2048, repeats: Int = 5) -> Double {
    precondition(n >= 1 && repeats >= 1, "[sgemm] need n ≥ 1 and repeats ≥ 1")
    let a = [Float](repeating: 1, count: n * n), b = [Float](repeating: 0.5, count: n * n)
    var c = [Float](repeating: 0, count: n * n)
    let N = Int64(n)
    func once() -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        check(dnnl_sgemm(78, 78, N, N, N, 1, a, N, b, N, 0, &c, N), "dnnl_sgemm \(n)²")   // 78 = 'N': no transpose
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    _ = once()
    let times = (0..<repeats).map { _ in once() }.sorted()
    return 2 * Double(n) * Double(n) * Double(n) / times[times.count / 2] / 1e9
}
