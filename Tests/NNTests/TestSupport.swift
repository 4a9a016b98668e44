import XCTest
@testable import NN
import Tensors

/// Checks counts first, then reports the largest excess over atol + rtol·|expected|, where it is,
/// and the largest absolute and relative differences.
func assertClose(_ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-3,
                 _ what: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(what()): \(actual.count) values, expected \(expected.count)", file: file, line: line)
        return
    }
    var worst = -1, worstExcess: Float = 0
    for i in 0..<actual.count {
        let diff = abs(actual[i] - expected[i])
        let allowed = atol + rtol * abs(expected[i])
        if !(diff <= allowed), diff - allowed > worstExcess || worst < 0 { worst = i; worstExcess = diff - allowed }
    }
    if worst >= 0 {
        XCTFail("\(what()): largest excess at index \(worst) of \(actual.count): \(actual[worst]) vs expected \(expected[worst]) "
                + "(atol \(atol), rtol \(rtol))", file: file, line: line)
    }
}

/// Largest |actual − expected| / max(|expected|) over an array: one number per tensor for reports.
func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    let scale = expected.map(abs).max() ?? 0
    let diff = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    return scale > 0 ? diff / scale : diff
}

/// A small configuration: depth 2, base width 4, valid padding, transposed up-sampling, batch norm.
func smallConfiguration(_ block: BlockKind, depth: Int = 2, baseWidth: Int = 4, classes: Int = 3) -> UNetConfiguration {
    var c = UNetConfiguration()
    c.block = block
    c.depth = depth
    c.baseWidth = baseWidth
    c.classes = classes
    return c
}
