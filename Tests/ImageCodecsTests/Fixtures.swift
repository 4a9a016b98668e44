import Foundation
import XCTest
@testable import ImageCodecs
import TestSupport

/// Fixture files under Tests/Fixtures/images, written by Tools/make_image_fixtures.py (Pillow).
enum Fixtures {
    static let directory: String = {
        let here = URL(fileURLWithPath: #filePath)  // Tests/ImageCodecsTests/Fixtures.swift
        return here.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/images").path
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// One entry of expected.json: the pixels Pillow decoded.
    struct Expected: Decodable {
        let file: String
        let width: Int
        let height: Int
        let channels: Int
        let bits: Int
        let pixels: [Int]
        let palette: [[Int]]?
        let note: String
    }

    struct Manifest: Decodable {
        let generator: String
        let pillow: String
        let fixtures: [Expected]
    }

    static func manifest() throws -> Manifest {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("expected.json")))
        return try JSONDecoder().decode(Manifest.self, from: data)
    }

    /// A fresh temporary directory, removed when `test` ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        try test.scratchDirectory("imagecodecs")
    }
}

/// A deterministic generator for test data (splitmix64).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
