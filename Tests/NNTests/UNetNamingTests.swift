import XCTest
import TestSupport
@testable import NN
import Tensors

/// Parameter and buffer names are the checkpoint format and the PyTorch `state_dict` keys.
final class UNetNamingTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    private func allConfigurations() -> [UNetConfiguration] {
        var all: [UNetConfiguration] = []
        for block in BlockKind.allCases {
            for batchNorm in [true, false] {
                for upsampling in Upsampling.allCases {
                    var c = smallConfiguration(block)
                    c.batchNorm = batchNorm
                    c.upsampling = upsampling
                    all.append(c)
                }
            }
        }
        return all
    }

    func testNamesAreUniqueDottedAndStable() {
        let pattern = try! NSRegularExpression(pattern: #"^(encoder|decoder)\.[0-9]+\.[a-z_]+[0-9]*(\.[a-z_]+)*$|^head\.(weight|bias)$"#)
        for c in allConfigurations() {
            let what = "\(c.block) batchNorm \(c.batchNorm) \(c.upsampling)"
            let names = UNet(c, seed: 1).state.map(\.name)
            XCTAssertEqual(Set(names).count, names.count, "\(what): duplicate names")
            for n in names {
                XCTAssertNotNil(pattern.firstMatch(in: n, range: NSRange(n.startIndex..., in: n)), "\(what): name \(n)")
            }
            XCTAssertEqual(UNet(c, seed: 2).state.map(\.name), names, "\(what): names depend on the seed")
            XCTAssertEqual(UNet(c, seed: 1).parameters.map(\.name) + UNet(c, seed: 1).buffers.map(\.name), names)
        }
    }

    func testKnownNames() {
        let names = Set(UNet(smallConfiguration(.residual)).state.map(\.name))
        for expected in ["encoder.0.conv1.weight", "encoder.0.bn1.weight", "encoder.0.bn1.bias", "encoder.0.bn1.running_mean",
                         "encoder.0.bn1.running_var", "encoder.0.skip.weight", "encoder.0.skip_bn.weight",
                         "encoder.2.conv2.weight", "decoder.1.up.weight", "decoder.0.up.weight", "decoder.0.up.bias",
                         "decoder.0.conv1.weight", "decoder.0.skip_bn.running_var", "head.weight", "head.bias"] {
            XCTAssert(names.contains(expected), "missing \(expected)")
        }
        XCTAssertFalse(names.contains("encoder.0.conv1.bias"), "no convolution bias before batch norm")
        XCTAssertFalse(names.contains("encoder.3.conv1.weight"), "depth 2 has encoder levels 0…2")

        var noBN = smallConfiguration(.residual)
        noBN.batchNorm = false
        let plainNames = Set(UNet(noBN).state.map(\.name))
        XCTAssert(plainNames.isSuperset(of: ["encoder.0.conv1.bias", "encoder.0.skip.bias"]))
        XCTAssert(plainNames.allSatisfy { !$0.contains("bn") && !$0.contains("running") })

        let preact = Set(UNet(smallConfiguration(.preact)).state.map(\.name))
        XCTAssert(preact.isSuperset(of: ["encoder.0.bn1.weight", "encoder.0.conv2.bias", "encoder.0.skip.weight"]))
        XCTAssertFalse(preact.contains("encoder.0.skip.bias"))
        XCTAssertFalse(preact.contains("encoder.0.skip_bn.weight"))
        XCTAssertEqual(UNet(smallConfiguration(.preact)).buffers.first { $0.name == "encoder.0.bn1.running_mean" }?.tensor.count, 1,
                       "pre-activation bn1 normalises the block's input channels")
    }

    /// Counts from Tools/make_unet_fixtures.py, which prints the PyTorch model's
    /// `sum(p.numel() for p in model.parameters())`:
    ///     paper plain: 31036546 parameters
    ///     paper residual: 32435138 parameters
    ///     paper preact: 32432068 parameters
    ///     paper bottleneck: 5959698 parameters
    /// and, for the fixture configurations, "plain: … 7487 parameters", "residual: … 7891",
    /// "preact: … 7845", "bottleneck: … 1610", "residual_nobn: … 7771", "plain_nearest: … 7007".
    func testParameterCountsMatchPyTorch() {
        let paper: [(BlockKind, Int)] = [(.plain, 31_036_546), (.residual, 32_435_138), (.bottleneck, 5_959_698)]
        for (block, count) in paper {
            XCTAssertEqual(UNet(.paper(block: block)).parameterCount, count, "paper \(block)")
        }
        var noBN = smallConfiguration(.residual)
        noBN.batchNorm = false
        var nearest = smallConfiguration(.plain)
        nearest.upsampling = .nearest
        let small: [(UNetConfiguration, Int)] = [
            (smallConfiguration(.plain), 7487), (smallConfiguration(.residual), 7891), (smallConfiguration(.preact), 7845),
            (smallConfiguration(.bottleneck), 1610), (noBN, 7771), (nearest, 7007),
        ]
        for (c, count) in small {
            XCTAssertEqual(UNet(c).parameterCount, count, "\(c.block) batchNorm \(c.batchNorm) \(c.upsampling)")
        }
    }
}
