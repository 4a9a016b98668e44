import Foundation
import ImageCodecs
import Tensors
import XCTest
import TestSupport

/// Writes a small dataset of bright disks on a textured background: images/NAME.png (8-bit gray)
/// and masks/NAME.png (0/255), and returns its root folder (removed when `test` ends).
enum SyntheticDataset {
    static func make(in test: XCTestCase, count: Int, size: Int, seed: UInt64 = 1, extraSizes: [(Int, Int)] = []) throws -> String {
        let root = test.scratchPath("unet-synthetic")
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/masks", withIntermediateDirectories: true)
        var rng = SeededGenerator(seed: seed)
        let sizes = Array(repeating: (size, size), count: count) + extraSizes
        for (k, (w, h)) in sizes.enumerated() {
            let (image, mask) = draw(width: w, height: h, rng: &rng)
            try Image(width: w, height: h, channels: 1, samples: image).write(to: "\(root)/images/img\(k).png")
            try Image(width: w, height: h, channels: 1, samples: mask).write(to: "\(root)/masks/img\(k).png")
        }
        return root
    }

    static func draw(width w: Int, height h: Int, rng: inout SeededGenerator) -> ([UInt8], [UInt8]) {
        var image = [UInt8](repeating: 0, count: w * h), mask = image
        let disks = (0..<3).map { _ in (Float(rng.next() % UInt64(w)), Float(rng.next() % UInt64(h)), 4 + Float(rng.next() % 6)) }
        for y in 0..<h {
            for x in 0..<w {
                let inside = disks.contains { (Float(x) - $0.0) * (Float(x) - $0.0) + (Float(y) - $0.1) * (Float(y) - $0.1) <= $0.2 * $0.2 }
                let texture = Float((x * 7 + y * 13) % 11) * 3
                image[y * w + x] = UInt8(min(255, (inside ? 170 : 60) + texture + Float(rng.next() % 10)))
                mask[y * w + x] = inside ? 255 : 0
            }
        }
        return (image, mask)
    }
}
