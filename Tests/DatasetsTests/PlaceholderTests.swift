import XCTest
@testable import Datasets
final class DatasetsTestsPlaceholder: XCTestCase { func testModuleLoads() { XCTAssertTrue(true) } }
