import Tensors
import XCTest

/// Concatenation, crops and nearest up-sampling with their backward passes against the reference
/// backend. Copies are exact; the up-sampling's backward adds four values per element in the
/// same order everywhere, so it is exact too. 16-channel inputs come blocked on the CPU backend,
/// and mixed blocked/plain inputs are concatenated.
final class CopyConformanceTests: XCTestCase {
    func tensor(_ s: Shape, seed: UInt64, on backend: ComputeBackend) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: s, scalars: randomValues(s.count, &rng)).inLayout(backend.preferredLayout(channels: s.c))
    }

    func testConcatAndSplit() {
        for channels in [[16, 32], [3, 16, 5], [2, 1]] {
            let r = onBoth { backend -> [[Float]] in
                let xs = channels.enumerated().map { tensor(Shape(2, $0.element, 3, 5), seed: UInt64($0.offset), on: backend) }
                let y = backend.concatChannels(xs)
                let total = channels.reduce(0, +)
                let parts = backend.splitChannels(tensor(Shape(2, total, 3, 5), seed: 9, on: backend), channels: channels)
                return [y.scalars] + parts.map(\.scalars)
            }
            for k in r.tested.indices {
                assertMatches(r.tested[k], r.reference[k], tolerance: Tolerance.exact, "concat/split \(channels) [\(k)]")
            }
        }
    }

    func testCropAndBackward() {
        for s in [Shape(2, 3, 9, 8), Shape(1, 16, 7, 10)] {
            let r = onBoth { backend -> [[Float]] in
                let y = backend.crop(tensor(s, seed: 1, on: backend), top: 2, left: 1, height: 4, width: 5)
                let dx = backend.cropBackward(tensor(Shape(s.n, s.c, 4, 5), seed: 2, on: backend), shape: s, top: 2, left: 1)
                return [y.scalars, dx.scalars]
            }
            assertMatches(r.tested[0], r.reference[0], tolerance: Tolerance.exact, "crop \(s)")
            assertMatches(r.tested[1], r.reference[1], tolerance: Tolerance.exact, "crop backward \(s)")
        }
    }

    func testUpsampleAndBackward() {
        for s in [Shape(2, 3, 4, 5), Shape(1, 16, 3, 3)] {
            let r = onBoth { backend -> [[Float]] in
                let y = backend.upsampleNearest2x(tensor(s, seed: 3, on: backend))
                let dx = backend.upsampleNearest2xBackward(tensor(Shape(s.n, s.c, 2 * s.h, 2 * s.w), seed: 4, on: backend))
                return [y.scalars, dx.scalars]
            }
            assertMatches(r.tested[0], r.reference[0], tolerance: Tolerance.exact, "upsample \(s)")
            assertMatches(r.tested[1], r.reference[1], tolerance: Tolerance.exact, "upsample backward \(s)")
        }
    }
}
