import CCUDALoader
import Tensors

/// Softmax, the losses and the prediction metrics. Sums are per-block doubles added on the
/// device, then read once (the loss value and its weight sum, the Dice sums, the counts).
extension CUDABackend {
    /// (N, C, H·W) of an activation [N, C, H, W], as the kernels take them.
    func dimensions(_ x: Tensor) -> [CUDAContext.Argument] {
        let s = x.shape
        return [.int(Int32(s.n)), .int(Int32(s.c)), .long(Int64(s.h * s.w)), nhwc(x)]
    }

    func checkTargets(_ targets: Tensor, _ x: Tensor) {
        precondition(targets.dtype == .int32 && targets.count == x.shape.n * x.shape.h * x.shape.w,
                     "[\(device)] targets \(targets.shape) \(targets.dtype) for \(x.shape)")
    }

    func uploadDoubles(_ values: [Double]) -> Storage {
        let s = scratch(doubles: values.count)
        values.withUnsafeBytes { copyFromHost($0, into: s, byteOffset: 0) }
        return s
    }

    /// Adds `rows` rows of `columns` partial sums on the device and reads the column totals.
    func totals(_ partial: Storage, rows: Int, columns: Int) -> [Double] {
        let out = scratch(doubles: columns)
        context.makeCurrent()
        context.launch("sum_partials", in: .reduction, grid: columns, [.pointer(address(partial)), .int(Int32(rows)), .int(Int32(columns)), .pointer(address(out))])
        return download(out, doubles: columns)
    }

    public func softmax(_ x: Tensor) -> Tensor {
        let y = tensor(x.shape, layout: x.layout)
        let pixels = x.shape.n * x.shape.h * x.shape.w
        launch("softmax_channels", .loss, count: pixels, [.pointer(address(x)), .pointer(address(y))] + dimensions(x))
        return y
    }

    public func softmaxBackward(_ dy: Tensor, y: Tensor) -> Tensor {
        let dy = relayout(dy, to: y.layout)
        let dx = tensor(y.shape, layout: y.layout)
        let pixels = y.shape.n * y.shape.h * y.shape.w
        launch("softmax_backward", .loss, count: pixels, [.pointer(address(dy)), .pointer(address(y)), .pointer(address(dx))] + dimensions(y))
        return dx
    }

    public func softmaxCrossEntropy(_ logits: Tensor, targets: Tensor, classWeights: Tensor?, pixelWeights: Tensor?)
        -> (loss: Float, weightSum: Double, probabilities: Tensor) {
        let x = logits
        checkTargets(targets, x)
        let p = tensor(x.shape, layout: x.layout)
        let pixels = x.shape.n * x.shape.h * x.shape.w
        let blocks = context.blocks(for: pixels)
        let partial = scratch(doubles: 2 * blocks)
        context.makeCurrent()
        context.launch("softmax_cross_entropy", in: .loss, grid: blocks,
                       [.pointer(address(x)), .pointer(address(targets)), .pointer(address(classWeights)), .pointer(address(pixelWeights)),
                        .pointer(address(p)), .pointer(address(partial))] + dimensions(x))
        let t = totals(partial, rows: blocks, columns: 2)
        return (t[1] > 0 ? Float(t[0] / t[1]) : 0, t[1], p)
    }

    public func softmaxCrossEntropyBackward(probabilities: Tensor, targets: Tensor, classWeights: Tensor?, pixelWeights: Tensor?,
                                            scale: Float) -> Tensor {
        let p = probabilities
        checkTargets(targets, p)
        let dx = tensor(p.shape, layout: p.layout)
        launch("softmax_cross_entropy_backward", .loss, count: p.shape.n * p.shape.h * p.shape.w,
               [.pointer(address(p)), .pointer(address(targets)), .pointer(address(classWeights)), .pointer(address(pixelWeights)),
                .float(scale), .pointer(address(dx))] + dimensions(p))
        return dx
    }

    public func diceSums(probabilities: Tensor, targets: Tensor) -> (intersection: [Double], probabilitySum: [Double], targetCount: [Double]) {
        let p = probabilities
        checkTargets(targets, p)
        let c = p.shape.c
        let blocks = context.blocks(for: p.shape.n * p.shape.h * p.shape.w)
        let partial = scratch(doubles: blocks * 3 * c)
        context.makeCurrent()
        context.launch("dice_sums", in: .loss, grid: blocks, [.pointer(address(p)), .pointer(address(targets)), .pointer(address(partial))] + dimensions(p))
        let t = totals(partial, rows: blocks, columns: 3 * c)
        return (Array(t[0..<c]), Array(t[c..<2 * c]), Array(t[2 * c..<3 * c]))
    }

    public func diceBackward(probabilities: Tensor, targets: Tensor, a: [Double], b: [Double]) -> Tensor {
        let p = probabilities
        checkTargets(targets, p)
        precondition(a.count == p.shape.c && b.count == p.shape.c, "[dice backward] \(a.count), \(b.count) coefficients for \(p.shape.c) classes")
        let dx = tensor(p.shape, layout: p.layout)
        let da = uploadDoubles(a), db = uploadDoubles(b)
        launch("dice_backward", .loss, count: p.shape.n * p.shape.h * p.shape.w,
               [.pointer(address(p)), .pointer(address(targets)), .pointer(address(da)), .pointer(address(db)), .pointer(address(dx))] + dimensions(p))
        return dx
    }

    /// The errors are computed on the device; their sort and the Jaccard steps along it run on
    /// the host, as the reference backend computes them (a device sort is future work).
    public func lovaszSoftmax(probabilities: Tensor, targets: Tensor, present: [Bool]) -> (sum: Double, slopes: Tensor) {
        let p = probabilities
        checkTargets(targets, p)
        let count = p.shape.n * p.shape.h * p.shape.w
        let t: [Int32] = download(targets.storage, count: count)
        var slopes = [Float](repeating: 0, count: p.shape.c * count)
        var total: Double = 0
        let errorsOnDevice = tensor(Shape(count))
        for c in 0..<p.shape.c where present[c] {
            launch("lovasz_errors", .loss, count: count,
                   [.pointer(address(p)), .pointer(address(targets)), .int(Int32(c)), .pointer(address(errorsOnDevice))] + dimensions(p))
            let errors: [Float] = download(errorsOnDevice.storage, count: count)
            let order = (0..<count).sorted { errors[$0] != errors[$1] ? errors[$0] > errors[$1] : $0 < $1 }
            let classPixels = Double(t.filter { Int($0) == c }.count)
            var inClass: Double = 0, previous: Double = 0
            for (k, j) in order.enumerated() {
                if Int(t[j]) == c { inClass += 1 }
                let jaccard = 1 - (classPixels - inClass) / (classPixels + Double(k + 1) - inClass)
                slopes[c * count + j] = Float(jaccard - previous)
                total += Double(errors[j]) * (jaccard - previous)
                previous = jaccard
            }
        }
        return (total, upload(slopes, shape: Shape(p.shape.c, count), dtype: .float32))
    }

    public func lovaszSoftmaxBackward(probabilities: Tensor, targets: Tensor, slopes: Tensor, scale: Float) -> Tensor {
        let p = probabilities
        checkTargets(targets, p)
        let dx = tensor(p.shape, layout: p.layout)
        launch("lovasz_backward", .loss, count: p.shape.n * p.shape.h * p.shape.w,
               [.pointer(address(p)), .pointer(address(targets)), .pointer(address(slopes)), .float(scale), .pointer(address(dx))] + dimensions(p))
        return dx
    }

    /// Counters (u64) on the device, read back as Ints.
    func counts(_ n: Int, _ body: (Storage) -> Void) -> [Int] {
        let counters = scratch(doubles: n)
        zero(counters, bytes: n * 8)
        body(counters)
        return [UInt64](unsafeUninitializedCapacity: n) { buffer, initialised in
            copyToHost(counters, byteOffset: 0, into: UnsafeMutableRawBufferPointer(buffer))
            initialised = n
        }.map { Int($0) }
    }

    public func classCounts(_ targets: Tensor, classes: Int) -> [Int] {
        precondition(targets.dtype == .int32, "[class counts] \(targets.dtype) targets")
        return counts(classes + 1) { counters in
            launch("class_counts", .loss, count: targets.count,
                   [.pointer(address(targets)), .int(Int32(classes)), .long(Int64(targets.count)), .pointer(address(counters))])
        }
    }

    public func argmaxChannels(_ x: Tensor) -> Tensor {
        let s = x.shape
        let y = tensor(Shape(s.n, s.h, s.w), dtype: .int32)
        launch("argmax_channels", .loss, count: s.n * s.h * s.w, [.pointer(address(x)), .pointer(address(y))] + dimensions(x))
        return y
    }

    public func accumulateConfusion(truth: Tensor, prediction: Tensor, classes: Int, into totals: inout [Int64]) {
        precondition(truth.count == prediction.count && truth.dtype == .int32 && prediction.dtype == .int32 && totals.count == classes * classes,
                     "[confusion] \(truth.shape) \(truth.dtype) vs \(prediction.shape) \(prediction.dtype), \(totals.count) counts for \(classes) classes")
        let c = counts(classes * classes) { counters in
            launch("confusion_counts", .loss, count: truth.count,
                   [.pointer(address(truth)), .pointer(address(prediction)), .int(Int32(classes)), .long(Int64(truth.count)), .pointer(address(counters))])
        }
        for i in 0..<totals.count { totals[i] += Int64(c[i]) }
    }
}
