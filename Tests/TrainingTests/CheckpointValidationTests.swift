import Datasets
import Foundation
import NN
import SafeTensors
import Tensors
import XCTest
@testable import Training
import TestSupport

/// Checkpoint metadata is hostile input: every field of `unet.model`, `unet.training` and
/// `unet.run` is checked when the checkpoint is read, and the error names the file and the field.
/// (Before these checks, a base width of 2^40 crashed while initialising, an empty mean divided
/// by zero, a short palette crashed `unet info`.)
final class CheckpointValidationTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// A good tiny training checkpoint, written to a scratch file.
    func writeGood() throws -> String {
        var c = UNetConfiguration()
        c.depth = 1
        c.baseWidth = 2
        let info = ModelInfo(configuration: c, classNames: ["background", "cell"], normalization: .identity(channels: 1))
        let state = TrainingState(step: 3, epoch: 1, bestMeanIoU: 0.5, bestEpoch: 1, dropoutRNG: [1, 2, 3, 4], optimizerSteps: 3)
        let path = scratchPath("ckpt-validation", suffix: ".safetensors")
        try Checkpoint(model: UNet(c), info: info, training: state, runOptions: TrainingOptions()).write(to: path)
        return path
    }

    /// The message `Checkpoint.read` gives after `edit` changed the JSON of metadata `key`.
    func message(_ key: String = "unet.model", _ edit: (inout [String: Any]) -> Void) throws -> String {
        let path = try writeGood()
        var file = try SafeTensorsFile(contentsOf: path)
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(file.metadata[key]!.utf8)) as? [String: Any])
        edit(&json)
        file.metadata[key] = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        try file.write(to: path)
        do {
            _ = try Checkpoint.read(from: path)
        } catch {
            return "\(error)".replacingOccurrences(of: path, with: "m.safetensors")
        }
        XCTFail("\(key) edited but the checkpoint was accepted")
        return ""
    }

    /// Sets `field` of the model configuration.
    func configuration(_ field: String, _ value: Any) throws -> String {
        try message { json in
            var c = json["configuration"] as! [String: Any]
            c[field] = value
            json["configuration"] = c
        }
    }

    func normalization(mean: [Any], std: [Any]) throws -> String {
        try message { $0["normalization"] = ["mean": mean, "std": std] }
    }

    func testGoodCheckpointReads() throws {
        let ck = try Checkpoint.read(from: try writeGood())
        XCTAssertEqual(ck.info.classNames, ["background", "cell"])
        XCTAssertEqual(ck.training?.step, 3)
    }

    /// Within the bounds but far larger than what the file holds (a 4096-wide network in a file
    /// of a 2-wide one): refused from the metadata, before the model is built.
    func testConfigurationLargerThanTheStoredTensorsIsRefusedBeforeBuildingIt() throws {
        let text = try configuration("baseWidth", 4096)
        XCTAssertTrue(text.hasPrefix("m.safetensors: not a unet checkpoint (metadata 'unet.model' describes a network of at least "), text)
        XCTAssertTrue(text.hasSuffix("the configuration does not match the tensors)"), text)
    }

    func testHugeBaseWidthIsRefusedBeforeAnyAllocation() throws {
        XCTAssertEqual(try configuration("baseWidth", 1 << 40),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': configuration.baseWidth: base width must be between 1 and 8192 (got 1099511627776))")
        XCTAssertEqual(try configuration("widthMultiplier", 1e300),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': configuration.widthMultiplier: the widest level would have 2e+300 channels (base width 2 × width multiplier 1e+300 ^ depth 1); at most 8192 are allowed)")
        XCTAssertEqual(try configuration("depth", 9),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': configuration.depth: depth must be between 1 and 8 (got 9))")
    }

    func testClassAndChannelCountsAreBounded() throws {
        XCTAssertEqual(try configuration("classes", 257),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': configuration.classes: classes must be between 2 and 256 (got 257))")
        XCTAssertEqual(try configuration("inputChannels", 65),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': configuration.inputChannels: input channels must be between 1 and 64 (got 65))")
    }

    func testNormalizationIsChecked() throws {
        XCTAssertEqual(try normalization(mean: [], std: []),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': normalization.mean has 0 values for 1 input channel(s); normalization.std has 0 values for 1 input channel(s))")
        XCTAssertEqual(try normalization(mean: [0.5], std: [0]),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': normalization.std[0] is 0.0; it must be positive)")
        XCTAssertEqual(try normalization(mean: [0.5], std: [-1]),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': normalization.std[0] is -1.0; it must be positive)")
        XCTAssertEqual(try normalization(mean: [0.5], std: [1e-9]),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': normalization.std[0] is 1e-09; it must be at least 1e-06)")
        XCTAssertEqual(try normalization(mean: [0.5, 0.5], std: [1, 1]),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': normalization.mean has 2 values for 1 input channel(s); normalization.std has 2 values for 1 input channel(s))")
        XCTAssertEqual(try normalization(mean: [0.5], std: [1, 1]),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': normalization.std has 2 values for 1 input channel(s))")
        // JSON has no NaN or infinity; a number too large for a Float decodes as infinity.
        XCTAssertEqual(try normalization(mean: [1e39], std: [1]),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': normalization.mean[0] is inf; it must be a finite number)")
        XCTAssertEqual(try normalization(mean: [0.5], std: [1e39]),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': normalization.std[0] is inf; it must be a finite number)")
    }

    func testPaletteIsChecked() throws {
        XCTAssertEqual(try message { $0["palette"] = [[0, 0, 0]] },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': palette has 1 colours for 2 classes)")
        XCTAssertEqual(try message { $0["palette"] = [[0, 0, 0], [255, 300, 0]] },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': palette[1][1]: 300 is not a colour component (0...255))")
        XCTAssertEqual(try message { $0["palette"] = [[0, 0, 0], [255, 0]] },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': palette[1] has 2 components; a colour needs 3 (red, green, blue))")
    }

    func testClassNamesAreChecked() throws {
        XCTAssertEqual(try message { $0["classNames"] = ["cell", "cell"] },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': classNames[1] repeats the name of classNames[0] (\"cell\"); each class needs its own)")
        XCTAssertEqual(try message { $0["classNames"] = ["background", "cell", "more"] },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': classNames has 3 names for 2 classes)")
        // An escape sequence would reach the terminal through `unet info` and training tables.
        let escaped = try message { $0["classNames"] = ["background", "\u{1B}[31mred"] }
        XCTAssertEqual(escaped, "m.safetensors: not a unet checkpoint (metadata 'unet.model': classNames[1] contains the control character U+001B; names are printed to terminals)")
        XCTAssertFalse(escaped.contains("\u{1B}"))
        XCTAssertEqual(try message { $0["classNames"] = ["background", ""] },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': classNames[1] is empty)")
    }

    func testDecodingErrorsNameTheField() throws {
        XCTAssertEqual(try configuration("depth", "four"),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': configuration.depth: expected an integer)")
        XCTAssertEqual(try message { $0["normalization"] = nil },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': normalization: missing)")
        XCTAssertEqual(try configuration("block", "\u{1B}]0;pwned\u{07}"),
                       "m.safetensors: not a unet checkpoint (metadata 'unet.model': configuration.block: Cannot initialize BlockKind from invalid String value \\u{1B}]0;pwned\\u{7})")
    }

    func testTrainingStateIsChecked() throws {
        XCTAssertEqual(try message("unet.training") { $0["dropoutRNG"] = [1, 2, 3] },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.training': dropoutRNG has 3 words; the dropout generator's state has 4)")
        XCTAssertEqual(try message("unet.training") { $0["dropoutRNG"] = [0, 0, 0, 0] },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.training': dropoutRNG is all zeros, which is not a generator state)")
        XCTAssertEqual(try message("unet.training") { $0["step"] = -1 },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.training': step is -1; it must be between 0 and 2^40)")
        XCTAssertEqual(try message("unet.training") { $0["epoch"] = 7 },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.training': epoch is 7 but only 3 steps were done; every epoch takes at least one step)")
        XCTAssertEqual(try message("unet.training") { $0["bestMeanIoU"] = 2 },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.training': bestMeanIoU is 2.0; it must be in [0, 1])")
    }

    func testRunOptionsMustPassTheirChecks() throws {
        XCTAssertEqual(try message("unet.run") { $0["batchSize"] = 0 },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.run': batch size must be at least 1 (got 0))")
        XCTAssertEqual(try message("unet.run") { $0["threads"] = 100_000_000 },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.run': threads must be between 1 and 1024 (got 100000000))")
        XCTAssertEqual(try message("unet.run") { $0["steps"] = -5 },
                       "m.safetensors: not a unet checkpoint (metadata 'unet.run': steps must be between 1 and 1099511627776 (got -5))")
    }

    /// A file with a million bad values gives a message of bounded length.
    func testManyProblemsAreSummarised() throws {
        let text = try normalization(mean: Array(repeating: 0, count: 1), std: Array(repeating: 0, count: 1000))
        XCTAssertTrue(text.hasSuffix("; and 996 more)"), text)
        XCTAssertLessThan(text.count, 600)
    }
}
