import XCTest
import TestSupport
@testable import Training

final class ConfusionMatrixTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testHandComputedScores() {
        // truth:      0 0 0 1 1 1 2 2
        // prediction: 0 0 1 1 1 2 2 0
        var m = ConfusionMatrix(classes: 4)
        m.add(truth: [0, 0, 0, 1, 1, 1, 2, 2], prediction: [0, 0, 1, 1, 1, 2, 2, 0])
        XCTAssertEqual(m[0, 0], 2)
        XCTAssertEqual(m[0, 1], 1)
        XCTAssertEqual(m[2, 0], 1)
        XCTAssertEqual(m.total, 8)
        // class 0: TP 2, FP 1, FN 1 -> IoU 2/4, Dice 4/6
        XCTAssertEqual(m.iou(0)!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.dice(0)!, 4.0 / 6.0, accuracy: 1e-12)
        // class 1: TP 2, FP 1, FN 1
        XCTAssertEqual(m.iou(1)!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.precision(1)!, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(m.recall(1)!, 2.0 / 3.0, accuracy: 1e-12)
        // class 2: TP 1, FP 1, FN 1 -> IoU 1/3, Dice 2/4
        XCTAssertEqual(m.iou(2)!, 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(m.dice(2)!, 0.5, accuracy: 1e-12)
        // class 3 absent from both: undefined and excluded from the means.
        XCTAssertNil(m.iou(3))
        XCTAssertNil(m.dice(3))
        XCTAssertNil(m.precision(3))
        XCTAssertEqual(m.meanIoU!, (0.5 + 0.5 + 1.0 / 3.0) / 3, accuracy: 1e-12)
        XCTAssertEqual(m.meanDice!, (4.0 / 6.0 + 4.0 / 6.0 + 0.5) / 3, accuracy: 1e-12)
        XCTAssertEqual(m.pixelAccuracy!, 5.0 / 8.0, accuracy: 1e-12)
    }

    func testClassPresentOnlyInPredictionScoresZero() {
        var m = ConfusionMatrix(classes: 2)
        m.add(truth: [0, 0], prediction: [0, 1])
        XCTAssertEqual(m.iou(1), 0)
        XCTAssertNil(m.recall(1))
        XCTAssertEqual(m.meanIoU!, 0.25, accuracy: 1e-12)  // (1/2 + 0) / 2
    }

    func testMergeEqualsAddingTogether() {
        var a = ConfusionMatrix(classes: 3), b = ConfusionMatrix(classes: 3), both = ConfusionMatrix(classes: 3)
        a.add(truth: [0, 1, 2], prediction: [0, 2, 2])
        b.add(truth: [2, 2, 1], prediction: [1, 2, 1])
        both.add(truth: [0, 1, 2, 2, 2, 1], prediction: [0, 2, 2, 1, 2, 1])
        XCTAssertEqual(a + b, both)
        XCTAssertNil(ConfusionMatrix(classes: 2).meanIoU)
        XCTAssertNil(ConfusionMatrix(classes: 2).pixelAccuracy)
    }
}
