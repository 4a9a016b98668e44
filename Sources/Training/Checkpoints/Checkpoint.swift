import Foundation
import NN
import SafeTensors
import Tensors

/// Why a checkpoint could not be used.
public enum CheckpointError: Error, CustomStringConvertible {
    case notACheckpoint(path: String, reason: String)
    case missingTensor(path: String, name: String)
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])
    case unexpectedTensor(path: String, name: String)
    case unreadable(path: String, underlying: Error)
    case badOptimizerState(path: String, reason: String)

    public var description: String {
        switch self {
        case .notACheckpoint(let p, let r): return "\(p): not a unet checkpoint (\(r))"
        case .missingTensor(let p, let n): return "\(p): tensor '\(n)' is missing (the checkpoint does not match its model configuration)"
        case .shapeMismatch(let p, let n, let e, let f):
            return "\(p): tensor '\(n)' has shape \(f), the model configuration needs \(e)"
        case .unexpectedTensor(let p, let n): return "\(p): tensor '\(n)' does not belong to the model configuration"
        case .unreadable(let p, let e):
            // The reader's errors already start with the path.
            let text = "\(e)"
            return text.hasPrefix(p + ":") ? text : "\(p): \(text)"
        case .badOptimizerState(let p, let r): return "\(p): \(r) (the optimizer state does not match the model)"
        }
    }
}

/// A model's weights and everything needed to use it, in one safetensors file: tensors named as
/// the model lists them, optimizer state under `optimizer.`, the training weights under
/// `training.raw.` when the model tensors are their average (`WeightAverage`), and in the
/// metadata the model info
/// (`unet.model`, JSON) and, for training checkpoints, the run state (`unet.training`, JSON).
/// PyTorch reads it with `safetensors.torch.load_file`.
public struct Checkpoint {
    public static let formatTag = "unet-checkpoint-1"

    public var info: ModelInfo
    public var tensors: [String: Tensor]
    public var training: TrainingState?
    /// The options of the run that wrote a training checkpoint (metadata `unet.run`).
    public var runOptions: TrainingOptions?
    /// The file it was read from, for messages (`<checkpoint>` when built in memory).
    public var source = "<checkpoint>"

    public init(info: ModelInfo, tensors: [String: Tensor], training: TrainingState? = nil, runOptions: TrainingOptions? = nil) {
        self.info = info
        self.tensors = tensors
        self.training = training
        self.runOptions = runOptions
    }

    /// Prefixes of the tensors that are not the model's: the optimizer's state and the training
    /// weights behind an averaged model.
    public static let optimizerPrefix = "optimizer.", rawWeightsPrefix = "training.raw."

    /// Whether tensor `name` is one of the model's (not training state).
    public static func isModelTensor(_ name: String) -> Bool {
        !name.hasPrefix(optimizerPrefix) && !name.hasPrefix("training.")
    }

    /// The model's state, plus optimizer state and run state when training, and the training
    /// weights (`raw`) when `model` is their average.
    public init(model: UNet, info: ModelInfo, optimizer: Optimizer? = nil, training: TrainingState? = nil, runOptions: TrainingOptions? = nil,
                raw: UNet? = nil) {
        var all: [String: Tensor] = [:]
        for (name, t) in model.state { all[name] = t }
        for (name, t) in optimizer?.state ?? [] { all[Self.optimizerPrefix + name] = t }
        for (name, t) in raw?.state ?? [] { all[Self.rawWeightsPrefix + name] = t }
        self.init(info: info, tensors: all, training: training, runOptions: runOptions)
    }

    /// Whether the checkpoint holds training weights besides the (averaged) model.
    public var hasRawWeights: Bool { tensors.keys.contains { $0.hasPrefix(Self.rawWeightsPrefix) } }

    /// Writes atomically (temp file, fsync, rename): a crash leaves the previous file intact.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var metadata = ["format": Checkpoint.formatTag,
                        "unet.model": String(decoding: try encoder.encode(info), as: UTF8.self)]
        if let training { metadata["unet.training"] = String(decoding: try encoder.encode(training), as: UTF8.self) }
        if let runOptions { metadata["unet.run"] = String(decoding: try encoder.encode(runOptions), as: UTF8.self) }
        var stored: [String: StoredTensor] = [:]
        for (name, t) in tensors { stored[name] = StoredTensor(floats: t.scalars, shape: t.shape.dims) }
        try SafeTensorsFile(metadata: metadata, tensors: stored, path: path).write(to: path)
    }

    /// Reads and checks the format tag and every field of the metadata (tensor shapes are
    /// checked by `load(into:)`, optimizer state by `restore(_:parameters:)`).
    public static func read(from path: String) throws -> Checkpoint {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: path) } catch { throw CheckpointError.unreadable(path: path, underlying: error) }
        guard file.metadata["format"] == formatTag else {
            throw CheckpointError.notACheckpoint(path: path, reason: "metadata 'format' is \(file.metadata["format"].map { "'\($0)'" } ?? "absent"), expected '\(formatTag)'")
        }
        guard let modelJSON = file.metadata["unet.model"] else {
            throw CheckpointError.notACheckpoint(path: path, reason: "metadata 'unet.model' is absent")
        }
        let info = try decodeMetadata(ModelInfo.self, "unet.model", modelJSON, path: path, problems: \.problems)
        let training = try file.metadata["unet.training"].map {
            try decodeMetadata(TrainingState.self, "unet.training", $0, path: path, problems: \.problems)
        }
        let runOptions = try file.metadata["unet.run"].map {
            try decodeMetadata(TrainingOptions.self, "unet.run", $0, path: path, problems: \.problems)
        }
        // The file must hold at least the network's convolution weights; a small file claiming a
        // huge network would otherwise make `makeModel` allocate it before any shape check.
        let stored = file.names.filter(isModelTensor).reduce(0.0) { total, name in
            total + Double((try? file.tensor(name).shape.reduce(1, *)) ?? 0)
        }
        let needed = info.configuration.parameterCountLowerBound
        if stored < needed {
            throw CheckpointError.notACheckpoint(path: path, reason: String(format:
                "metadata 'unet.model' describes a network of at least %.0f weights, but the file holds %.0f values; "
                + "the configuration does not match the tensors", needed, stored))
        }
        var tensors: [String: Tensor] = [:]
        for name in file.names {
            let st = try file.tensor(name)
            guard st.dtype == .f32, let values = st.floatValues() else {
                throw CheckpointError.notACheckpoint(path: path, reason: "tensor '\(name)' has dtype \(st.dtype.rawValue), expected F32")
            }
            tensors[name] = Tensor(shape: Shape(st.shape), scalars: values)
        }
        var checkpoint = Checkpoint(info: info, tensors: tensors, training: training, runOptions: runOptions)
        checkpoint.source = path
        return checkpoint
    }

    /// Decodes the JSON of metadata entry `key` and checks it: metadata is hostile input like
    /// the tensors, so a field that would crash or mislead later is refused here, by name.
    private static func decodeMetadata<T: Decodable>(_ type: T.Type, _ key: String, _ json: String, path: String,
                                                     problems: (T) -> [String]) throws -> T {
        func refuse(_ reasons: [String]) -> CheckpointError {
            // A hostile file can hold millions of bad entries: the first few say enough.
            let shown = reasons.prefix(5).joined(separator: "; ")
            let more = reasons.count > 5 ? "; and \(reasons.count - 5) more" : ""
            return .notACheckpoint(path: path, reason: "metadata '\(key)': \(shown)\(more)")
        }
        let value: T
        do {
            value = try JSONDecoder().decode(T.self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw refuse([error.fieldDescription])
        }
        let found = problems(value)
        if !found.isEmpty { throw refuse(found) }
        return value
    }

    /// A model built from the stored configuration with the stored weights.
    public func makeModel(path: String? = nil) throws -> UNet {
        let path = path ?? source
        let model = UNet(info.configuration)
        try load(into: model, path: path)
        return model
    }

    /// Copies every model tensor into `model`, checking names and shapes both ways. With
    /// `rawWeights`, the training weights (`training.raw.` NAME) instead.
    public func load(into model: UNet, path: String? = nil, rawWeights: Bool = false) throws {
        let path = path ?? source
        let state = model.state
        let prefix = rawWeights ? Self.rawWeightsPrefix : ""
        let expected = Set(state.map { prefix + $0.name })
        for name in tensors.keys.sorted() where (rawWeights ? name.hasPrefix(prefix) : Self.isModelTensor(name)) && !expected.contains(name) {
            throw CheckpointError.unexpectedTensor(path: path, name: name)
        }
        for (name, t) in state.map({ (prefix + $0.name, $0.tensor) }) {
            guard let saved = tensors[name] else { throw CheckpointError.missingTensor(path: path, name: name) }
            guard saved.shape == t.shape else {
                throw CheckpointError.shapeMismatch(path: path, name: name, expected: t.shape.dims, found: saved.shape.dims)
            }
            t.assign(saved.scalars)
        }
    }

    /// Restores `optimizer` from the saved optimizer state for the model's `parameters`, every
    /// buffer checked against its parameter's shape; errors name the file and the tensor.
    public func restore(_ optimizer: Optimizer, stepCount: Int, parameters: [(name: String, tensor: Tensor)]) throws {
        do {
            try optimizer.restore(state: optimizerState, stepCount: stepCount, parameters: parameters)
        } catch let error as OptimizerStateError {
            throw CheckpointError.badOptimizerState(path: source, reason: error.description)
        }
    }

    /// The optimizer's saved state (names without the `optimizer.` prefix).
    public var optimizerState: [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, t) in tensors where name.hasPrefix(Self.optimizerPrefix) { out[String(name.dropFirst(Self.optimizerPrefix.count))] = t }
        return out
    }
}
