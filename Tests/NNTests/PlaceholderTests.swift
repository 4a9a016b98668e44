import XCTest
@testable import NN
final class NNTestsPlaceholder: XCTestCase { func testModuleLoads() { XCTAssertTrue(true) } }
