import Datasets
import Foundation
import ImageCodecs
import Tensors
import XCTest
@testable import Training
import TestSupport

/// How often each image is drawn (per image or per area) and rare-class oversampling.
final class PatchSamplingTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func options(_ root: String) -> TrainingOptions {
        var o = TrainingOptions()
        o.dataRoot = root
        o.outputDirectory = scratchPath("unet-sampling")
        o.model.depth = 2
        o.model.baseWidth = 4
        o.model.padding = .valid
        o.batchSize = 4
        o.patchSize = 60      // depth 2, valid: 60 → 20
        o.validationFraction = 0
        o.elastic = false
        o.seed = 5
        return o
    }

    func testPatchCountsPerImageAndPerArea() {
        let sizes = [(height: 100, width: 100), (height: 200, width: 200), (height: 400, width: 400), (height: 50, width: 100)]
        XCTAssertEqual(PatchBatcher.patchCounts(sampling: .area, sizes: sizes, outputSize: 100), [1, 4, 16, 1])
        // The median area (between 100² and 200²: 25,000) covered once by 100² windows: 2.5 → 3 (rounded half up).
        XCTAssertEqual(PatchBatcher.patchCounts(sampling: .image, sizes: sizes, outputSize: 100), [3, 3, 3, 3])
        XCTAssertEqual(PatchBatcher.patchCounts(sampling: .image, sizes: [(height: 10, width: 10)], outputSize: 100), [1], "at least one")
    }

    /// An epoch's order holds each image exactly its count of times, and the steps cover them.
    func testEpochDrawsEachImageItsCount() throws {
        let root = try SyntheticDataset.make(in: self, count: 2, size: 40, extraSizes: [(80, 80), (120, 40)])
        for sampling in PatchSampling.allCases {
            var o = options(root)
            o.sampling = sampling
            let data = try PreparedData.load(o, inferClasses: true)
            o.model.classes = data.classCount
            let batcher = try Trainer.patchBatcher(for: data, options: o, normalization: .identity(channels: 1))
            // Output 20²: 40² → 4, 80² → 16, 120×40 → 12; the median of (4, 4, 12, 16) areas is 8 windows.
            let sizes = try data.train.map { try ImageInfo.read(contentsOf: $0.imagePath) }.map { $0.width * $0.height / 400 }
            let expected = sampling == .area ? sizes : Array(repeating: 8, count: sizes.count)
            XCTAssertEqual(batcher.patchCounts, expected, "\(sampling)")
            XCTAssertEqual(batcher.stepsPerEpoch, (expected.reduce(0, +) + 3) / 4)
            for epoch in 0..<2 {
                let order = batcher.order(epoch: epoch)
                XCTAssertEqual((0..<data.train.count).map { i in order.filter { $0 == i }.count }, expected, "\(sampling), epoch \(epoch)")
            }
        }
    }

    /// Images of 64² whose masks hold a 3×3 square of class 2 in one corner (and class 1 on the
    /// left half): a 20² output window placed uniformly holds the square in about 12% of patches.
    func makeRareDataset() throws -> String {
        let root = try scratchDirectory("unet-rare", subfolders: ["images", "masks"])
        var rng = SeededGenerator(seed: 9)
        for k in 0..<3 {
            var mask = [UInt8](repeating: 0, count: 64 * 64)
            for y in 0..<64 { for x in 0..<32 { mask[y * 64 + x] = 1 } }
            for y in 58..<61 { for x in 58..<61 { mask[y * 64 + x] = 2 } }
            let image = mask.map { UInt8(40 + Int($0) * 60 + Int(rng.next() % 20)) }
            try Image(width: 64, height: 64, channels: 1, samples: image).write(to: "\(root)/images/\(k).png")
            try Image(width: 64, height: 64, channels: 1, samples: mask).write(to: "\(root)/masks/\(k).png")
        }
        return root
    }

    func shareOfPatchesWithClass2(oversample: Double?) throws -> Double {
        var o = options(try makeRareDataset())
        o.oversample = oversample
        let data = try PreparedData.load(o, inferClasses: true)
        o.model.classes = data.classCount
        XCTAssertEqual(Trainer.focusClasses(data.histogram), [2], "class 2 holds 0.2% of the pixels")
        let batcher = try Trainer.patchBatcher(for: data, options: o, normalization: .identity(channels: 1))
        XCTAssertEqual(batcher.focus?.classes, oversample.map { $0 > 0 ? [2] : nil } ?? nil)
        var hits = 0, patches = 0
        for step in 0..<50 {
            let batch = try batcher.batch(step: step)
            let o2 = batch.outputSize * batch.outputSize
            for slot in 0..<batch.size {
                patches += 1
                if batch.targets[(slot * o2)..<((slot + 1) * o2)].contains(2) { hits += 1 }
            }
        }
        return Double(hits) / Double(patches)
    }

    func testOversamplingPlacesPatchesOnTheRareClass() throws {
        // Every focused window holds a pixel of class 2, also after flips and quarter turns.
        XCTAssertEqual(try shareOfPatchesWithClass2(oversample: 1), 1)
        let uniform = try shareOfPatchesWithClass2(oversample: nil)
        XCTAssertLessThan(uniform, 0.3, "uniform windows rarely hold the corner square")
        XCTAssertEqual(try shareOfPatchesWithClass2(oversample: 0), uniform, "0 is the same as none")
        // A third focused: 1/3 + 2/3 · uniform expected; 200 patches keep it within ±0.12 (3.5σ).
        let third = try shareOfPatchesWithClass2(oversample: 1.0 / 3)
        XCTAssertEqual(third, 1.0 / 3 + 2.0 / 3 * uniform, accuracy: 0.12)
    }

    func testFocusClassesWithoutARareClass() {
        XCTAssertEqual(Trainer.focusClasses([50, 30, 20]), [1, 2], "none under 10%: every class but the most frequent")
        XCTAssertEqual(Trainer.focusClasses([90, 5, 5, 0]), [1, 2], "absent classes are not rare, they are missing")
    }
}
