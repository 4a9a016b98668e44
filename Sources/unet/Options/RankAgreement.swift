import Datasets
import FileSafety
import Foundation
import MessagePassing
import Training

/// Before the first step of a job of several ranks: every rank's options, data and run folder
/// must be the same, and so must the arithmetic (`--precision`) and the kind of device (each
/// rank may use its own GPU number). Ranks started with different data (2 classes on one, 3 on the other) used
/// to die in the first all-reduce with SIGSEGV or a raw MPI error; ranks with a different
/// `--lr` or `--seed` stopped at step 2 blaming the reduction. One gather of each rank's
/// description finds every difference, and every rank stops with the same message.
enum RankAgreement {
    /// Options that may differ between ranks: the threads of each (its cores), and where each
    /// finds the data (the data itself is compared by content below).
    static let perRank: Set<String> = ["threads", "dataRoot", "imagesDirectory", "masksDirectory", "validationRoot", "classMapPath"]

    /// The command-line names of the stored options.
    static let flags: [String: String] = [
        "learningRate": "--lr", "batchSize": "--batch-size", "patchSize": "--patch-size", "seed": "--seed", "steps": "--steps",
        "epochs": "--epochs", "optimizer": "--optimizer", "momentum": "--momentum", "weightDecay": "--weight-decay",
        "schedule": "--schedule", "warmupSteps": "--warmup", "clipNorm": "--clip-norm", "loss": "--loss", "classWeights": "--class-weights",
        "weightMap": "--weight-map", "flips": "--disable flips", "rotations": "--disable rotations", "elastic": "--disable elastic",
        "intensity": "--disable intensity", "outputDirectory": "--out (the run folder)", "validateEvery": "--validate-every",
        "normalization": "--normalize", "plan": "--plan", "batchNormStatistics": "--bn-stats", "syncBatchNorm": "--sync-batchnorm",
        "sampling": "--sampling", "oversample": "--oversample", "averageWeights": "--ema", "validationFraction": "--val-fraction",
        "model.depth": "--depth", "model.baseWidth": "--width", "model.classes": "--classes", "model.inputChannels": "input channels",
        "model.widthMultiplier": "--width-multiplier", "model.padding": "--padding", "model.block": "--block",
        "model.upsampling": "--upsampling", "model.batchNorm": "--batch-norm", "model.dropout": "--dropout",
    ]

    /// This rank's description: (name, value) pairs in a fixed order.
    static func description(options: TrainingOptions, data: PreparedData, resumedStep: Int?) throws -> [(String, String)] {
        var o = options
        o.outputDirectory = ResolvedPath(options.outputDirectory).value
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try JSONSerialization.jsonObject(with: encoder.encode(o)) as? [String: Any] ?? [:]
        var fields: [(String, String)] = []
        func text(_ value: Any) -> String {
            if let string = value as? String { return string }
            guard JSONSerialization.isValidJSONObject([value]),
                  let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .fragmentsAllowed]) else { return "\(value)" }
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
        for key in object.keys.sorted() where !perRank.contains(key) {
            if key == "model", let model = object[key] as? [String: Any] {
                for sub in model.keys.sorted() { fields.append(("model." + sub, text(model[sub]!))) }
            } else {
                fields.append((key, text(object[key]!)))
            }
        }
        for key in ["epochs", "steps", "patchSize", "plan"] where object[key] == nil { fields.append((key, "none")) }
        fields.sort { $0.0 < $1.0 }
        // The data by content: class and channel counts, images, and a hash of the names, file
        // sizes and class histogram (different data of the same shape differs here).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) { for b in text.utf8 { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3 } }
        for pair in data.train + [SamplePair(name: "|", imagePath: "", maskPath: "")] + data.validation {
            mix(pair.name)
            for path in [pair.imagePath, pair.maskPath] where !path.isEmpty {
                mix("\((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1)")
            }
        }
        data.histogram.forEach { mix("\($0),") }
        fields += [("data: classes", "\(data.classCount)"), ("data: channels", "\(data.channels)"),
                   ("data: training images", "\(data.train.count)"), ("data: validation images", "\(data.validation.count)"),
                   ("data: content (names, file sizes, class pixels)", String(hash, radix: 16))]
        if let resumedStep { fields.append(("--resume: the checkpoint's step", "\(resumedStep)")) }
        return fields
    }

    /// Throws, on every rank, when the ranks' descriptions differ: one message naming each
    /// difference and every rank's value (reported by rank 0; the others leave quietly).
    static func check(_ world: MPIWorld, _ fields: [(String, String)]) throws {
        guard world.size > 1 else { return }
        let mine = Array(fields.map { "\($0.0)\u{1}\($0.1)" }.joined(separator: "\u{2}").utf8)
        let all = world.gather(mine).map { bytes in
            Dictionary(String(decoding: bytes, as: UTF8.self).split(separator: "\u{2}").map { entry -> (String, String) in
                let parts = entry.split(separator: "\u{1}", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }, uniquingKeysWith: { first, _ in first })
        }
        let names = Set(all.flatMap(\.keys)).sorted()
        var differences: [String] = []
        for name in names {
            let values = all.map { $0[name] ?? "(none)" }
            guard Set(values).count > 1 else { continue }
            let shown = values.enumerated().map { "rank \($0.offset) \(short($0.element))" }.joined(separator: ", ")
            differences.append("\(flags[name] ?? name): \(shown)")
        }
        guard !differences.isEmpty else { return }
        let message = "the \(world.size) ranks were not started alike; every rank needs the same options and data. "
            + "Different: " + differences.joined(separator: "; ")
        throw Ranks.AgreedFailure(world.rank == 0 ? CommandFailure(message) : nil)
    }

    /// A value short enough for one line (a plan is a page of JSON: its hash stands in).
    static func short(_ value: String) -> String {
        guard value.count > 60 else { return value }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in value.utf8 { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return String(value.prefix(40)) + "… (hash \(String(hash, radix: 16).prefix(8)))"
    }
}
