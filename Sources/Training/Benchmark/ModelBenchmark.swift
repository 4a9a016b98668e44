import NN
import Tensors

/// Times a U-Net's training step and inference on synthetic data (no data loading, no augmentation).
///
/// Input x: [batch, inputChannels, size, size], standard normal; targets: uniform class indices
/// for the [batch, size', size'] output, size' = `configuration.outputSize(forInput: size)`.
/// A training step is forward, softmax cross-entropy, backward, Adam (lr 1e-3), zeroing the
/// gradients: exactly what the trainer does per batch minus data loading (with several ranks, the
/// gradients are all-reduced during the backward pass, as the trainer does). Inference is the model
/// in eval mode without a tape (batch norm folded into the convolutions, residual sums and ReLUs fused).
public final class ModelBenchmark {
    public let configuration: UNetConfiguration
    public let inputSize: Int
    public let batch: Int
    public let model: UNet
    let input: Tensor
    let targets: Tensor
    let optimizer = Adam()
    /// Where the training step's gradients are averaged (a world of one by default; `unet bench`
    /// under mpirun times data-parallel steps with an MPI reducer).
    public var reducer: GradientReducer = LocalGradients()

    /// Builds the model with `seed` (the model's own He initialisation) and the synthetic batch.
    /// The caller has checked `configuration.isValidInput(inputSize)`.
    public init(configuration: UNetConfiguration, inputSize: Int, batch: Int, seed: UInt64 = 0) {
        precondition(batch >= 1, "[ModelBenchmark] batch must be at least 1, got \(batch)")
        guard let out = configuration.outputSize(forInput: inputSize) else {
            preconditionFailure("[ModelBenchmark] input \(inputSize) is not valid for this network")
        }
        self.configuration = configuration
        self.inputSize = inputSize
        self.batch = batch
        model = UNet(configuration, seed: seed)
        var rng = SeededGenerator(seed: seed &+ 1000)
        let xShape = Shape(batch, configuration.inputChannels, inputSize, inputSize)
        input = Tensor(shape: xShape, scalars: (0..<xShape.count).map { _ in rng.nextGaussian() })
        let classes = UInt64(configuration.classes)
        targets = Tensor(shape: Shape(batch, out, out), integers: (0..<(batch * out * out)).map { _ in Int32(rng.next() % classes) })
    }

    /// Side of the output maps.
    public var outputSize: Int { configuration.outputSize(forInput: inputSize)! }

    /// One training step; returns the loss (read back, so the step has finished).
    @discardableResult
    public func trainingStep() -> Float {
        model.training = true
        let parameters = model.parameters
        let tape = Tape()
        let loss = tape.record { softmaxCrossEntropy(model(input), targets: targets) }
        let reducer = self.reducer
        if reducer.worldSize > 1 {
            // As the trainer: each gradient goes to the reducer when final, then all are averaged.
            let names = Dictionary(parameters.map { (ObjectIdentifier($0.tensor), $0.name) }, uniquingKeysWith: { a, _ in a })
            tape.backward(from: loss) { tensor in
                if let name = names[ObjectIdentifier(tensor)] { reducer.gradientReady(name: name, tensor: tensor) }
            }
            reducer.combine(parameters)
        } else {
            tape.backward(from: loss)
        }
        optimizer.step(parameters, learningRate: 1e-3)
        zeroGradients(parameters)
        return loss.scalar
    }

    /// One inference pass in eval mode; returns the class scores [batch, classes, size', size'].
    @discardableResult
    public func inference() -> Tensor {
        model.training = false
        return Tape.withoutRecording { model(input) }
    }

    /// Training steps: `warmup` untimed, then `steps` timed.
    public func timeTraining(warmup: Int, steps: Int) -> TimingSummary {
        TimingSummary.measure(warmup: warmup, repeats: steps) { trainingStep() }
    }

    /// Inference passes: `warmup` untimed, then `repeats` timed. The output is read back as plain
    /// scalars inside the timed region, as a caller would.
    public func timeInference(warmup: Int, repeats: Int) -> TimingSummary {
        TimingSummary.measure(warmup: warmup, repeats: repeats) { _ = inference().scalars.count }
    }
}
