import XCTest
@testable import ImageCodecs
final class ImageCodecsTestsPlaceholder: XCTestCase { func testModuleLoads() { XCTAssertTrue(true) } }
