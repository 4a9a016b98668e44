import XCTest
@testable import SafeTensors

/// Reads Tests/Fixtures/safetensors/python_written.safetensors, written by
/// `Tools/make_safetensors_fixture.py` with Python's `safetensors.numpy.save_file`.
final class PythonFixtureTests: XCTestCase {
    let path = repositoryRoot + "/Tests/Fixtures/safetensors/python_written.safetensors"

    func testReadsFileWrittenByPython() throws {
        let file = try SafeTensorsFile(contentsOf: path)
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "unet fixture"])
        XCTAssertEqual(file.names, ["bias", "empty", "flags", "half", "index", "mask", "steps", "weight"])

        XCTAssertEqual(try file.dtype(of: "weight"), .f32)
        XCTAssertEqual(try file.floats("weight", shape: [2, 3]), [0.5, -1.25, 2.0, 3.5, -0.0078125, 1e6])
        XCTAssertEqual(try file.dtype(of: "bias"), .f64)
        XCTAssertEqual(try file.doubles("bias"), [0.1, -0.2, 0.3])
        XCTAssertEqual(try file.floats("bias"), [Float(0.1), Float(-0.2), Float(0.3)])
        XCTAssertEqual(try file.dtype(of: "half"), .f16)
        XCTAssertEqual(try file.floats("half"), [1.0, -2.5, Float(sign: .plus, exponent: -14, significand: 1), 65504.0])
        XCTAssertEqual(try file.shape(of: "steps"), [])
        XCTAssertEqual(try file.int64s("steps"), [42])
        XCTAssertEqual(try file.dtype(of: "index"), .i32)
        XCTAssertEqual(try file.shape(of: "index"), [2, 2])
        XCTAssertEqual(try file.int64s("index"), [-1, 2, 3, -4])
        XCTAssertEqual(try file.int64s("mask"), [0, 1, 127, 128, 255])
        XCTAssertEqual(try file.dtype(of: "flags"), .bool)
        XCTAssertEqual(try file.int64s("flags"), [1, 0, 1])
        XCTAssertEqual(try file.shape(of: "empty"), [0, 4])
        XCTAssertEqual(try file.floats("empty"), [])
    }

    func testPythonFileSurvivesOurRoundTrip() throws {
        let file = try SafeTensorsFile(contentsOf: path)
        XCTAssertEqual(try SafeTensorsFile(bytes: file.serialized()), file)
    }
}
