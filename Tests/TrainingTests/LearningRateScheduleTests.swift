import XCTest
import TestSupport
@testable import Training

final class LearningRateScheduleTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testConstantWithWarmup() {
        let s = LearningRateSchedule.constant(0.1, warmupSteps: 4)
        XCTAssertEqual((0..<6).map { s.rate(atStep: $0) }, [0.025, 0.05, 0.075, 0.1, 0.1, 0.1])
    }

    func testStepDecay() {
        let s = LearningRateSchedule.step(1, factor: 0.5, every: 3)
        XCTAssertEqual((0..<8).map { s.rate(atStep: $0) }, [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])
        let warm = LearningRateSchedule.step(1, factor: 0.1, every: 2, warmupSteps: 2)
        XCTAssertEqual((0..<6).map { warm.rate(atStep: $0) }, [0.5, 1, 1, 1, 0.1, 0.1].map { Float($0) })
    }

    func testCosine() {
        let s = LearningRateSchedule.cosine(1, floor: 0.2, totalSteps: 10, warmupSteps: 2)
        XCTAssertEqual(s.rate(atStep: 0), 0.5)
        XCTAssertEqual(s.rate(atStep: 2), 1)
        XCTAssertEqual(s.rate(atStep: 6), 0.6, accuracy: 1e-6)                                   // halfway: (1 + 0.2) / 2
        XCTAssertEqual(s.rate(atStep: 4), 0.2 + 0.8 * Float((1 + cos(Double.pi / 4)) / 2), accuracy: 1e-6)
        XCTAssertEqual(s.rate(atStep: 10), 0.2)
        XCTAssertEqual(s.rate(atStep: 50), 0.2)
    }
}
