import NN
import Tensors
import XCTest

/// Comparing whole models between the backend under test and the reference backend.
enum ModelComparison {
    /// Per-layer rounding differences (`Tolerance.convolution`) pass through a dozen convolutions
    /// and batch norms over two images, whose statistics amplify them. Measured on the oneDNN
    /// backend: at most 3e-6 of a tensor's scale (UNET_CONFORMANCE_REPORT=1 prints the worst per
    /// model); 1e-4 leaves a margin for other kernels' summation orders.
    static let tolerance: Float = 1e-4

    /// The tiny configurations of the test suite: depth 2, base width 8, valid padding, transposed up-sampling.
    static func configuration(_ block: BlockKind) -> UNetConfiguration {
        var c = UNetConfiguration()
        c.block = block
        c.depth = 2
        c.baseWidth = 8
        c.classes = 3
        c.inputChannels = 1
        c.padding = .valid
        return c
    }

    /// Compares named tensors. Each is measured against its own largest value, but at least 1e-2
    /// of the largest over all of them: some gradients are zero in exact arithmetic (an
    /// up-convolution bias followed by batch norm) and only fp32 noise on any backend.
    static func assertMatch(_ tested: [(String, [Float])], _ reference: [(String, [Float])], tolerance: Float, _ what: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(tested.map(\.0), reference.map(\.0), "\(what): tensor names", file: file, line: line)
        let global = reference.map { $0.1.map(abs).max() ?? 0 }.max() ?? 0
        var report: [String] = []
        for ((name, a), (_, e)) in zip(tested, reference) {
            guard a.count == e.count else { XCTFail("\(what) \(name): \(a.count) vs \(e.count) values", file: file, line: line); continue }
            let scale = max(e.map(abs).max() ?? 0, 1e-2 * global, Float.leastNormalMagnitude)
            let error = (zip(a, e).map { abs($0 - $1) }.max() ?? 0) / scale
            report.append("\(name) \(error)")
            if !(error <= tolerance) {
                XCTFail("\(what) \(name) [\(underTest.name)]: error \(error) of its scale \(scale), tolerance \(tolerance)", file: file, line: line)
            }
        }
        if ProcessInfo.processInfo.environment["UNET_CONFORMANCE_REPORT"] != nil {
            print("\(what): worst \(report.max { Float($0.split(separator: " ").last!)! < Float($1.split(separator: " ").last!)! } ?? "-")")
        }
    }

    static func values(_ named: [(name: String, tensor: Tensor)]) -> [(String, [Float])] {
        named.map { ($0.name, $0.tensor.scalars) }
    }
}
