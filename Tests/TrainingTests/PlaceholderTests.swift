import XCTest
@testable import Training
final class TrainingTestsPlaceholder: XCTestCase { func testModuleLoads() { XCTAssertTrue(true) } }
