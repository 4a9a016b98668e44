import XCTest
@testable import Training
final class UNetToolTestsPlaceholder: XCTestCase { func testModuleLoads() { XCTAssertTrue(true) } }
