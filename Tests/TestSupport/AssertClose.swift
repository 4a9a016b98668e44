import XCTest

/// Fails unless `actual` and `expected` have the same count and every element is within
/// `atol + rtol·|expected|`; reports the largest excess, where it is, and the tolerances. The one
/// element-wise comparison of the test targets (each used to have its own).
public func assertClose(_ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-4,
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
