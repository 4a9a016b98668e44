import Foundation
import ImageCodecs
import NN
import SafeTensors
import Tensors
import XCTest
@testable import Training
import TestSupport

/// Bad input and faults around the trainer: mixed image kinds, divergence after a good epoch,
/// checkpoints with foreign dtypes, unusable run folders and a disk that fills up mid-save.
final class ReliabilityTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func options(_ root: String, out: String) -> TrainingOptions {
        var o = TrainingOptions()
        o.dataRoot = root
        o.outputDirectory = out
        o.model.depth = 2
        o.model.baseWidth = 8
        o.patchSize = 60
        o.batchSize = 2
        o.validationFraction = 0
        o.elastic = false
        o.seed = 5
        return o
    }

    func quiet(_ trainer: Trainer) -> Trainer {
        trainer.log = { _ in }
        return trainer
    }

    /// 8-bit gray, 16-bit gray and RGB images in one dataset: everything becomes RGB.
    func testMixedGrayRGBAnd16BitDatasetTrainsOnThreeChannels() throws {
        let root = try SyntheticDataset.make(in: self, count: 3, size: 40)
        let gray = try Image.read(contentsOf: root + "/images/img1.png")
        try gray.converted(toChannels: 3).write(to: root + "/images/img1.png")
        let wide = gray.intSamples.map { UInt16($0 * 257) }
        try Image(width: 40, height: 40, channels: 1, samples16: wide).write(to: root + "/images/img2.png")
        XCTAssertEqual(try ImageInfo.read(contentsOf: root + "/images/img2.png").sourceBitDepth, 16)

        var o = options(root, out: scratchPath("unet-mixed"))
        o.steps = 2
        let trainer = quiet(try Trainer(options: o, inferClasses: true))
        XCTAssertEqual(trainer.data.channels, 3)
        XCTAssertEqual(trainer.options.model.inputChannels, 3)
        XCTAssertEqual(try trainer.run(), .finished)
        let saved = try Checkpoint.read(from: trainer.lastPath)
        XCTAssertEqual(saved.info.configuration.inputChannels, 3)
        XCTAssertEqual(saved.tensors["encoder.0.conv1.weight"]?.shape.dims[1], 3)
    }

    /// A NaN loss in epoch 3 is reported at its step with the last good checkpoint; `best` and
    /// `last` from epoch 2 stay byte for byte as they were.
    func testDivergenceAfterGoodEpochsKeepsBestAndLast() throws {
        let root = try SyntheticDataset.make(in: self, count: 3, size: 40)
        var o = options(root, out: scratchPath("unet-diverge"))
        o.validationRoot = root
        o.epochs = 2
        let first = quiet(try Trainer(options: o, inferClasses: true))
        XCTAssertEqual(try first.run(), .finished)
        let best = try Data(contentsOf: URL(fileURLWithPath: first.bestPath))
        let last = try Data(contentsOf: URL(fileURLWithPath: first.lastPath))

        let checkpoint = try Checkpoint.read(from: first.lastPath)
        var more = try XCTUnwrap(checkpoint.runOptions)
        more.epochs = 3
        let resumed = quiet(try Trainer(options: more, inferClasses: false, resume: checkpoint))
        let badStep = 2 * first.batches.stepsPerEpoch + 1
        resumed.nanLossAtStep = badStep
        XCTAssertThrowsError(try resumed.run()) { error in
            guard case TrainingError.diverged(let step, let loss, let lastGood) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(step, badStep)
            XCTAssertTrue(loss.isNaN)
            XCTAssertEqual(lastGood, first.lastPath)
            XCTAssertTrue("\(error)".contains("step \(badStep)") && "\(error)".contains(first.lastPath), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first.bestPath)), best, "best must survive divergence unchanged")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first.lastPath)), last, "last must not be overwritten by a diverged state")
    }

    /// An F64 or I64 tensor under a model name: a clear error naming the tensor and its dtype.
    func testCheckpointWithWrongDTypeNamesTheTensor() throws {
        var c = UNetConfiguration()
        c.depth = 1; c.baseWidth = 4
        let path = scratchPath("unet-dtype", suffix: ".safetensors")
        try Checkpoint(model: UNet(c), info: ModelInfo(configuration: c, normalization: .identity(channels: 1))).write(to: path)
        for (dtype, name) in [(DType.f64, "encoder.0.conv1.weight"), (.i64, "head.bias")] {
            var file = try SafeTensorsFile(contentsOf: path)
            let original = try file.tensor(name)
            let count = original.shape.reduce(1, *)
            file.tensors[name] = dtype == .f64 ? StoredTensor(doubles: Array(repeating: 0.5, count: count), shape: original.shape)
                                               : StoredTensor(int64s: Array(repeating: 1, count: count), shape: original.shape)
            let bad = scratchPath("unet-dtype-\(dtype.rawValue)", suffix: ".safetensors")
            try file.write(to: bad)
            XCTAssertThrowsError(try Checkpoint.read(from: bad)) { error in
                XCTAssertEqual("\(error)", "\(bad): not a unet checkpoint (tensor '\(name)' has dtype \(dtype.rawValue), expected F32)")
            }
        }
    }

    /// A run folder under a file is refused when the trainer is made, before any data is read.
    func testUnusableRunFolderIsReportedBeforeWork() throws {
        let file = scratchPath("unet-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        var o = options("/nonexistent-data", out: file + "/run")
        o.steps = 1
        XCTAssertThrowsError(try Trainer(options: o, inferClasses: true)) { error in
            XCTAssertEqual("\(error)", "\(file)/run: cannot write file (cannot create the output folder: \(file) is a file, not a folder)")
        }
        if geteuid() != 0 {  // root ignores permissions
            let locked = scratchPath("unet-ro")
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o555])
            o.outputDirectory = locked + "/run"
            XCTAssertThrowsError(try Trainer(options: o, inferClasses: true)) { XCTAssertTrue("\($0)".contains("Permission denied"), "\($0)") }
        }
    }

    /// A disk that fills up during a checkpoint write (simulated with RLIMIT_FSIZE, which makes
    /// write(2) fail with EFBIG as a full disk fails with ENOSPC): the error names the file and
    /// the reason, the previous checkpoint is intact and no temporary file is left.
    func testFailedCheckpointWriteKeepsThePreviousFile() throws {
        var c = UNetConfiguration()
        c.depth = 1; c.baseWidth = 8
        let info = ModelInfo(configuration: c, normalization: .identity(channels: 1))
        let dir = scratchPath("unet-full")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/last.safetensors"
        try Checkpoint(model: UNet(c, seed: 1), info: info).write(to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertGreaterThan(before.count, 8192)

        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        let oldHandler = signal(SIGXFSZ, SIG_IGN)
        var small = saved
        small.rlim_cur = 4096
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &small), 0)
        let result = Result { try Checkpoint(model: UNet(c, seed: 2), info: info).write(to: path) }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        signal(SIGXFSZ, oldHandler)

        XCTAssertThrowsError(try result.get()) { error in
            XCTAssertEqual("\(error)", "\(path): cannot write (writing the temporary file; any previous file is unchanged): File too large")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["last.safetensors"])
        XCTAssertNoThrow(try Checkpoint.read(from: path))
    }
}
