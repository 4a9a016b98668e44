import Foundation
import XCTest
import ImageCodecs
@testable import Datasets
import TestSupport

/// Builds a dataset folder on disk for one test (removed at teardown), writing files with our encoder.
struct DatasetBuilder {
    let root: String
    var images: String { root + "/images" }
    var masks: String { root + "/masks" }

    init(_ test: XCTestCase) throws {
        root = try test.scratchDirectory("datasets", subfolders: ["images", "masks"])
    }

    /// An RGB image of the given size (content irrelevant).
    @discardableResult
    func image(_ file: String, width: Int = 4, height: Int = 3) throws -> String {
        let samples = (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let path = images + "/" + file
        try Image(width: width, height: height, channels: 3, samples: samples).write(to: path)
        return path
    }

    /// A gray mask with the given values (row-major).
    @discardableResult
    func grayMask(_ file: String, width: Int = 4, height: Int = 3, values: [UInt8]? = nil) throws -> String {
        let path = masks + "/" + file
        let v = values ?? [UInt8](repeating: 0, count: width * height)
        try Image(width: width, height: height, channels: 1, samples: v).write(to: path)
        return path
    }

    /// Writes any image as a mask file.
    @discardableResult
    func mask(_ file: String, _ image: Image) throws -> String {
        let path = masks + "/" + file
        try image.write(to: path)
        return path
    }
}
