import ImageCodecs
import Tensors
import TestSupport
import XCTest

extension XCTestCase {
    /// A dataset folder of `count` 40×40 gray noise images whose masks threshold them at 128
    /// (0/255): enough for the tool's tiny end-to-end runs. Removed when the test ends.
    func noiseDataset(_ prefix: String, seed: UInt64, count: Int = 3) throws -> String {
        let root = try scratchDirectory(prefix, subfolders: ["images", "masks"])
        var rng = SeededGenerator(seed: seed)
        for k in 0..<count {
            let img = (0..<1600).map { _ in UInt8(rng.next() % 256) }
            try Image(width: 40, height: 40, channels: 1, samples: img).write(to: "\(root)/images/i\(k).png")
            try Image(width: 40, height: 40, channels: 1, samples: img.map { $0 > 128 ? 255 : 0 }).write(to: "\(root)/masks/i\(k).png")
        }
        return root
    }
}
