import XCTest
import TestSupport
@testable import Training

final class TrainingProgressTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testDurationFormatting() {
        XCTAssertEqual(ProgressFormatting.duration(0), "0s")
        XCTAssertEqual(ProgressFormatting.duration(42.4), "42s")
        XCTAssertEqual(ProgressFormatting.duration(83), "1m23s")
        XCTAssertEqual(ProgressFormatting.duration(605), "10m05s")
        XCTAssertEqual(ProgressFormatting.duration(2 * 3600 + 5 * 60 + 10), "2h05m")
        XCTAssertEqual(ProgressFormatting.duration(nil), "--")
        XCTAssertEqual(ProgressFormatting.duration(.infinity), "--")
        XCTAssertEqual(ProgressFormatting.duration(-3), "0s")
    }

    func testNumberAndBarFormatting() {
        XCTAssertEqual(ProgressFormatting.fixed(0.43125, digits: 4), "0.4313")
        XCTAssertEqual(ProgressFormatting.fixed(-1.05, digits: 1), "-1.1")
        XCTAssertEqual(ProgressFormatting.fixed(12.3, digits: 1), "12.3")
        XCTAssertEqual(ProgressFormatting.fixed(3, digits: 0), "3")
        XCTAssertEqual(ProgressFormatting.fixed(.nan, digits: 2), "nan")
        XCTAssertEqual(ProgressFormatting.bar(fraction: 0.5, width: 10), "[=====>    ]")
        XCTAssertEqual(ProgressFormatting.bar(fraction: 0, width: 4), "[>   ]")
        XCTAssertEqual(ProgressFormatting.bar(fraction: 1, width: 4), "[====]")
    }

    func testPlainModeWritesOneLinePerEpoch() {
        var out: [String] = []
        var now = 0.0
        let progress = TrainingProgress(totalEpochs: 2, stepsPerEpoch: 4, style: .plain,
                                        write: { out.append($0) }, clock: { now })
        for step in 1...4 {
            now += 2
            progress.step(epoch: 1, step: step, loss: 0.5, images: 4)
        }
        XCTAssertTrue(out.isEmpty)
        now += 5  // validation
        progress.endEpoch(1, trainingLoss: 0.43125, validationLoss: 0.5, meanIoU: 0.75)
        XCTAssertEqual(out, ["epoch 1/2 loss 0.4313 val_loss 0.5000 mIoU 0.7500 2.0 img/s took 13s ETA 8s\n"])
        now += 2
        progress.step(epoch: 2, step: 1, loss: 0.4, images: 4)
        progress.endEpoch(2, trainingLoss: 0.4)
        XCTAssertEqual(out.last, "epoch 2/2 loss 0.4000 2.0 img/s took 2s\n")
        XCTAssertFalse(out.joined().contains("\r"))
        XCTAssertFalse(out.joined().contains("\u{1B}"))
    }

    func testInteractiveModeRedrawsInPlaceThrottled() {
        var out: [String] = []
        var now = 0.0
        let progress = TrainingProgress(totalEpochs: 10, stepsPerEpoch: 300, style: .interactive,
                                        write: { out.append($0) }, clock: { now })
        progress.barWidth = 10
        for step in 1...120 {
            now += 0.01  // 100 steps per second: redrawn at most every 0.1 s
            progress.step(epoch: 3, step: step, loss: 0.4312, images: 1)
        }
        XCTAssertLessThanOrEqual(out.count, 13)
        XCTAssertGreaterThanOrEqual(out.count, 10)
        XCTAssertTrue(out.allSatisfy { $0.hasPrefix("\r") && $0.hasSuffix("\u{1B}[K") })
        // 180 steps left in epoch 3 and 7 × 300 after it: 2 280 steps at 0.01 s each.
        XCTAssertEqual(progress.barLine(epoch: 3, step: 120, loss: 0.4312),
                       "[====>     ] 40% epoch 3/10 step 120/300 loss 0.4312 100.0 img/s ETA 23s")
    }
}
