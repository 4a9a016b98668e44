import XCTest
import TestSupport
@testable import NN
import Tensors

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
