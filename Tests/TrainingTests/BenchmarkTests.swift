import NN
import XCTest
import TestSupport
@testable import Training

final class BenchmarkTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    /// The yardstick in /work/shared/NOTES-onednn.md: the paper's network with residual blocks,
    /// 572² → 388², batch 1: 315.7 GFLOP forward, 946.8 per training step. Exact integers from
    /// an independent count (Tools/bench_torch.py `forward_flops`).
    func testPaperConfigurationFLOPs() {
        let a = UNetConfiguration.paper(block: .residual)
        let f = a.convolutionFLOPs(inputSize: 572)!
        XCTAssertEqual(f.forward, 315_731_563_008)
        // 3× forward less enc0.conv1 (2·1·64·9·570²) and enc0.skip (2·1·64·568²): no gradient for the input.
        XCTAssertEqual(f.trainingStep, 3 * 315_731_563_008 - 374_284_800 - 41_295_872)
        XCTAssertEqual(f.trainingStep / 1e9, 946.8, accuracy: 0.05)
        XCTAssertNil(a.convolutionFLOPs(inputSize: 573))
    }

    func testSmallConfigurationFLOPs() {
        var b = UNetConfiguration.paper(block: .residual)
        b.baseWidth = 16
        XCTAssertEqual(b.convolutionFLOPs(inputSize: 316, batch: 4)?.forward, 15_802_520_064)
        XCTAssertEqual(b.convolutionFLOPs(inputSize: 316, batch: 4)?.trainingStep, 47_281_517_568)
        b.block = .plain   // no 1×1 projections on the skips
        XCTAssertEqual(b.convolutionFLOPs(inputSize: 316, batch: 4)?.forward, 15_168_713_216)
    }

    func testTimingSummary() {
        let t = TimingSummary(samples: [5, 1, 3, 2])
        XCTAssertEqual(t.median, 2.5)
        XCTAssertEqual(t.min, 1)
        XCTAssertEqual(t.max, 5)
        XCTAssertEqual(TimingSummary(samples: [4, 9, 1]).median, 4)
    }

    func testPeakResidentMemoryIsReadable() {
        XCTAssertGreaterThan(peakResidentMegabytes() ?? 0, 1)
    }
}
