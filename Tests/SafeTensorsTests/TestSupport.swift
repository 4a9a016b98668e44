import Foundation
import XCTest
@testable import SafeTensors

/// The repository root, found from this file's path (Tests/SafeTensorsTests/TestSupport.swift).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A fresh empty directory under the system temporary directory.
func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "/safetensors-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// SplitMix64: a tiny deterministic generator for the mutation tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Asserts that `body` throws a `SafeTensorsError` matched by `matches`.
func assertThrowsSafeTensorsError<T>(
    _ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line,
    _ matches: (SafeTensorsError) -> Bool
) {
    do {
        _ = try body()
        XCTFail("expected an error, got a value", file: file, line: line)
    } catch let error as SafeTensorsError {
        XCTAssertTrue(matches(error), "unexpected error: \(error)", file: file, line: line)
    } catch {
        XCTFail("expected SafeTensorsError, got \(error)", file: file, line: line)
    }
}

/// A small file with several dtypes and metadata, used by several tests.
func sampleFile() -> SafeTensorsFile {
    SafeTensorsFile(
        metadata: ["format": "pt", "epoch": "3", "quote\"and\\slash": "line\nbreak ü"],
        tensors: [
            "encoder.0.conv1.weight": StoredTensor(floats: (0..<24).map { Float($0) * 0.25 - 3 }, shape: [2, 3, 2, 2]),
            "encoder.0.bn.running_var": StoredTensor(doubles: [1.5, 2.25, -0.125], shape: [3]),
            "step": StoredTensor(int64s: [1234567890123], shape: []),
            "labels": StoredTensor(int32s: [-7, 0, 7, Int32.max], shape: [2, 2]),
            "mask": StoredTensor(uint8s: [0, 255, 3], shape: [3]),
            "empty": StoredTensor(floats: [], shape: [0, 5]),
        ])
}
