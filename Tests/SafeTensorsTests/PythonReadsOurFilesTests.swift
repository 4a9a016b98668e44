import Foundation
import XCTest
@testable import SafeTensors

/// Proves our output opens in Python (`safetensors.torch.load_file`) via
/// `Tools/check_safetensors_readable.py`. Skipped unless `UNET_REFERENCE_PYTHON`
/// names a Python with torch and safetensors, e.g.
/// `UNET_REFERENCE_PYTHON=/tmp/refvenv/bin/python swift test --filter PythonReadsOurFiles`.
final class PythonReadsOurFilesTests: XCTestCase {
    func testOutputOpensInPyTorch() throws {
        guard let python = ProcessInfo.processInfo.environment["UNET_REFERENCE_PYTHON"] else {
            throw XCTSkip("set UNET_REFERENCE_PYTHON to a python with torch and safetensors")
        }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/ours.safetensors"
        var file = sampleFile()
        // An odd-sized U8 tensor first in name order, so later F32/F64 data is misaligned.
        file.tensors["a_odd_bytes"] = StoredTensor(uint8s: [1, 2, 3], shape: [3])
        try file.write(to: path)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repositoryRoot + "/Tools/check_safetensors_readable.py", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("encoder.0.conv1.weight: float32 [2, 3, 2, 2]"), output)
        XCTAssertTrue(output.contains("step: int64 []"), output)
        XCTAssertTrue(output.contains("a_odd_bytes: uint8 [3]"), output)
        XCTAssertTrue(output.contains("metadata epoch = '3'"), output)
    }
}
