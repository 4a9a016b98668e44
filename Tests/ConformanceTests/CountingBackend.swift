import Foundation
import ReferenceBackend
import Tensors

/// A backend added the way docs/ARCHITECTURE.md says ("How to add a backend"), from outside the
/// core: it conforms to `ComputeBackend` alone (not `HostBackend`), so it compiles only because
/// it implements every memory method itself (allocate, the host copies, fill, copy, convert, …),
/// here by handing each call to the reference backend and counting it (generated from the
/// protocol's declarations: one line per requirement).
final class CountingBackend: ComputeBackend, @unchecked Sendable {
    let base = ReferenceBackend()
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    var calls: [String: Int] { lock.lock(); defer { lock.unlock() }; return counts }

    private func count(_ name: String) {
        lock.lock(); counts[name, default: 0] += 1; lock.unlock()
    }

    public var name: String { count("name"); return base.name }
    public var device: Device { count("device"); return base.device }
    public var deviceMemory: DeviceMemory? { count("deviceMemory"); return base.deviceMemory }
    public func allocate(byteCount: Int) -> Storage { count("allocate"); return base.allocate(byteCount: byteCount) }
    public func copyToHost(_ storage: Storage, byteOffset: Int, into: UnsafeMutableRawBufferPointer) { count("copyToHost"); base.copyToHost(storage, byteOffset: byteOffset, into: into) }
    public func copyFromHost(_ bytes: UnsafeRawBufferPointer, into storage: Storage, byteOffset: Int) { count("copyFromHost"); base.copyFromHost(bytes, into: storage, byteOffset: byteOffset) }
    public func synchronize() { count("synchronize"); base.synchronize() }
    public func fill(_ x: Tensor, with value: Float) { count("fill"); base.fill(x, with: value) }
    public func copy(_ x: Tensor) -> Tensor { count("copy"); return base.copy(x) }
    public func convert(_ x: Tensor, to dtype: DType) -> Tensor { count("convert"); return base.convert(x, to: dtype) }
    public func preferredLayout(channels: Int) -> Layout { count("preferredLayout"); return base.preferredLayout(channels: channels) }
    public func relayout(_ x: Tensor, to layout: Layout) -> Tensor { count("relayout"); return base.relayout(x, to: layout) }
    public func convolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry: ConvGeometry, transposed: Bool) -> Tensor { count("convolution"); return base.convolution(x, weight: w, bias: b, geometry: geometry, transposed: transposed) }
    public func convolutionBackwardData(_ dy: Tensor, weight w: Tensor, inputShape: Shape, inputLayout: Layout, geometry: ConvGeometry, transposed: Bool) -> Tensor { count("convolutionBackwardData"); return base.convolutionBackwardData(dy, weight: w, inputShape: inputShape, inputLayout: inputLayout, geometry: geometry, transposed: transposed) }
    public func convolutionBackwardWeights(_ x: Tensor, _ dy: Tensor, weightShape: Shape, withBias: Bool, geometry: ConvGeometry, transposed: Bool) -> (Tensor, Tensor?) { count("convolutionBackwardWeights"); return base.convolutionBackwardWeights(x, dy, weightShape: weightShape, withBias: withBias, geometry: geometry, transposed: transposed) }
    public func convolutionWorkspaceBytesPerPixel(weight w: Shape, geometry: ConvGeometry, transposed: Bool) -> Int { count("convolutionWorkspaceBytesPerPixel"); return base.convolutionWorkspaceBytesPerPixel(weight: w, geometry: geometry, transposed: transposed) }
    public func fusedConvolution(_ x: Tensor, weight w: Tensor, bias b: Tensor?, geometry: ConvGeometry, residual: Tensor?, relu: Bool) -> Tensor { count("fusedConvolution"); return base.fusedConvolution(x, weight: w, bias: b, geometry: geometry, residual: residual, relu: relu) }
    public func batchNormTraining(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float, fusedReLU: Bool) -> (y: Tensor, mean: Tensor, variance: Tensor, context: AnyObject?) { count("batchNormTraining"); return base.batchNormTraining(x, gamma: gamma, beta: beta, epsilon: epsilon, fusedReLU: fusedReLU) }
    public func batchNormInference(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> Tensor { count("batchNormInference"); return base.batchNormInference(x, gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon) }
    public func updateRunningStatistics(mean: Tensor, variance: Tensor, batchMean: Tensor, batchVariance: Tensor, momentum: Float, unbias: Float) { count("updateRunningStatistics"); base.updateRunningStatistics(mean: mean, variance: variance, batchMean: batchMean, batchVariance: batchVariance, momentum: momentum, unbias: unbias) }
    public func batchNormBackward(_ dy: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float, statisticsFixed: Bool, fusedReLU: Bool, context: AnyObject?) -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) { count("batchNormBackward"); return base.batchNormBackward(dy, x: x, gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon, statisticsFixed: statisticsFixed, fusedReLU: fusedReLU, context: context) }
    public func pool(_ x: Tensor, kind: PoolKind, geometry: PoolGeometry, training: Bool) -> (y: Tensor, context: AnyObject?) { count("pool"); return base.pool(x, kind: kind, geometry: geometry, training: training) }
    public func poolBackward(_ dy: Tensor, inputShape: Shape, inputLayout: Layout, kind: PoolKind, geometry: PoolGeometry, context: AnyObject?) -> Tensor { count("poolBackward"); return base.poolBackward(dy, inputShape: inputShape, inputLayout: inputLayout, kind: kind, geometry: geometry, context: context) }
    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor { count("activation"); return base.activation(x, kind) }
    public func activationBackward(_ dy: Tensor, y: Tensor, _ kind: Activation) -> Tensor { count("activationBackward"); return base.activationBackward(dy, y: y, kind) }
    public func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor { count("addReLU"); return base.addReLU(a, b) }
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { count("add"); return base.add(a, b) }
    public func accumulate(into a: Tensor, _ b: Tensor) { count("accumulate"); base.accumulate(into: a, b) }
    public func axpy(_ alpha: Float, _ b: Tensor, into a: Tensor) { count("axpy"); base.axpy(alpha, b, into: a) }
    public func adamUpdate(parameter: Tensor, gradient: Tensor, m: Tensor, v: Tensor, _ step: AdamStep) { count("adamUpdate"); base.adamUpdate(parameter: parameter, gradient: gradient, m: m, v: v, step) }
    public func sgdUpdate(parameter: Tensor, gradient: Tensor, buffer: Tensor, _ step: SGDStep) { count("sgdUpdate"); base.sgdUpdate(parameter: parameter, gradient: gradient, buffer: buffer, step) }
    public func sumOfSquares(_ x: Tensor) -> Double { count("sumOfSquares"); return base.sumOfSquares(x) }
    public func scale(_ x: Tensor, by factor: Float) { count("scale"); base.scale(x, by: factor) }
    public func countNonFinite(_ x: Tensor) -> Int { count("countNonFinite"); return base.countNonFinite(x) }
    public func softmax(_ x: Tensor) -> Tensor { count("softmax"); return base.softmax(x) }
    public func softmaxBackward(_ dy: Tensor, y: Tensor) -> Tensor { count("softmaxBackward"); return base.softmaxBackward(dy, y: y) }
    public func softmaxCrossEntropy(_ logits: Tensor, targets: Tensor, classWeights: Tensor?, pixelWeights: Tensor?) -> (loss: Float, weightSum: Double, probabilities: Tensor) { count("softmaxCrossEntropy"); return base.softmaxCrossEntropy(logits, targets: targets, classWeights: classWeights, pixelWeights: pixelWeights) }
    public func softmaxCrossEntropyBackward(probabilities: Tensor, targets: Tensor, classWeights: Tensor?, pixelWeights: Tensor?, scale: Float) -> Tensor { count("softmaxCrossEntropyBackward"); return base.softmaxCrossEntropyBackward(probabilities: probabilities, targets: targets, classWeights: classWeights, pixelWeights: pixelWeights, scale: scale) }
    public func diceSums(probabilities: Tensor, targets: Tensor) -> (intersection: [Double], probabilitySum: [Double], targetCount: [Double]) { count("diceSums"); return base.diceSums(probabilities: probabilities, targets: targets) }
    public func diceBackward(probabilities: Tensor, targets: Tensor, a: [Double], b: [Double]) -> Tensor { count("diceBackward"); return base.diceBackward(probabilities: probabilities, targets: targets, a: a, b: b) }
    public func lovaszSoftmax(probabilities: Tensor, targets: Tensor, present: [Bool]) -> (sum: Double, slopes: Tensor) { count("lovaszSoftmax"); return base.lovaszSoftmax(probabilities: probabilities, targets: targets, present: present) }
    public func lovaszSoftmaxBackward(probabilities: Tensor, targets: Tensor, slopes: Tensor, scale: Float) -> Tensor { count("lovaszSoftmaxBackward"); return base.lovaszSoftmaxBackward(probabilities: probabilities, targets: targets, slopes: slopes, scale: scale) }
    public func classCounts(_ targets: Tensor, classes: Int) -> [Int] { count("classCounts"); return base.classCounts(targets, classes: classes) }
    public func concatChannels(_ xs: [Tensor]) -> Tensor { count("concatChannels"); return base.concatChannels(xs) }
    public func splitChannels(_ dy: Tensor, channels: [Int]) -> [Tensor] { count("splitChannels"); return base.splitChannels(dy, channels: channels) }
    public func crop(_ x: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor { count("crop"); return base.crop(x, top: top, left: left, height: height, width: width) }
    public func cropBackward(_ dy: Tensor, shape: Shape, top: Int, left: Int) -> Tensor { count("cropBackward"); return base.cropBackward(dy, shape: shape, top: top, left: left) }
    public func upsampleNearest2x(_ x: Tensor) -> Tensor { count("upsampleNearest2x"); return base.upsampleNearest2x(x) }
    public func upsampleNearest2xBackward(_ dy: Tensor) -> Tensor { count("upsampleNearest2xBackward"); return base.upsampleNearest2xBackward(dy) }
    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { count("multiply"); return base.multiply(a, b) }
    public func dropoutMask(shape: Shape, layout: Layout, probability: Float, seed: UInt64) -> Tensor { count("dropoutMask"); return base.dropoutMask(shape: shape, layout: layout, probability: probability, seed: seed) }
    public func scaled(_ x: Tensor, by factor: Float) -> Tensor { count("scaled"); return base.scaled(x, by: factor) }
    public func globalAveragePool(_ x: Tensor) -> Tensor { count("globalAveragePool"); return base.globalAveragePool(x) }
    public func globalAveragePoolBackward(_ dy: Tensor, inputShape: Shape) -> Tensor { count("globalAveragePoolBackward"); return base.globalAveragePoolBackward(dy, inputShape: inputShape) }
    public func argmaxChannels(_ x: Tensor) -> Tensor { count("argmaxChannels"); return base.argmaxChannels(x) }
    public func accumulateConfusion(truth: Tensor, prediction: Tensor, classes: Int, into counts: inout [Int64]) { count("accumulateConfusion"); base.accumulateConfusion(truth: truth, prediction: prediction, classes: classes, into: &counts) }
    public func foldBatchNorm(weight: Tensor, bias: Tensor?, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> (weight: Tensor, bias: Tensor) { count("foldBatchNorm"); return base.foldBatchNorm(weight: weight, bias: bias, gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon) }
    public func setThreadCount(_ n: Int) { count("setThreadCount"); base.setThreadCount(n) }
    public var threadCount: Int { count("threadCount"); return base.threadCount }
    public var convolutionPrecision: Precision { count("convolutionPrecision"); return base.convolutionPrecision }
    public func setConvolutionPrecision(_ precision: Precision) throws { count("setConvolutionPrecision"); try base.setConvolutionPrecision(precision) }
}
