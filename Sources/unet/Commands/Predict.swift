import ArgumentParser
import Datasets
import Foundation
import ImageCodecs
import Tensors
import Training

/// How predicted masks are written.
enum MaskFormat: String, ExpressibleByArgument, CaseIterable {
    /// Indexed PNG: pixel value = class index, palette colours for viewing.
    case indexed
    /// 8-bit gray 0/255 (binary models only).
    case gray255
}

/// `unet predict`: segments images of any size with a checkpoint.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict masks for images (files or folders, recursively).",
        discussion: """
        Writes OUT_DIR/NAME.png per input NAME (paths under a folder argument keep their sub-folders). \
        Masks have the input's width and height; any size is handled by overlap-tile prediction.
        """)

    @Option(help: "Checkpoint (.safetensors) written by unet train.")
    var model: String
    @Option(name: .customLong("out"), help: "Output folder.")
    var out: String
    @Argument(help: "Images (PNG or JPEG) or folders of them.")
    var inputs: [String]
    @Option(help: "Mask format: indexed (class index with a palette) or gray255 (binary 0/255).")
    var format: MaskFormat = .indexed
    @Flag(help: "Also write NAME_overlay.png: the input with the mask blended in.")
    var overlay = false
    @Flag(help: "Also write NAME_prob_CLASS.png: per-class probabilities as 16-bit gray.")
    var probabilities = false
    @Option(help: "Tile input side (default: the largest that fits --memory-budget).")
    var tile: Int?
    @Option(name: .customLong("memory-budget"), help: "Activation memory for tiles in MB (default 1024).")
    var memoryBudget: Int = 1024
    @Option(name: .customLong("batch-tiles"), help: "Tiles per forward pass (default 4).")
    var batchTiles: Int = 4
    @OptionGroup(title: "Test-time augmentation") var testTime: TestTimeOptions
    @OptionGroup(title: "Compute") var compute: ComputeOptions

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one image or folder") }
        if memoryBudget < 16 { throw ValidationError("--memory-budget must be at least 16 MB") }
        if batchTiles < 1 { throw ValidationError("--batch-tiles must be at least 1") }
        if let tile, tile < 1 { throw ValidationError("--tile must be positive") }
    }

    func run() throws {
        if let t = compute.threads { try ComputeThreads.set(t) }
        let checkpoint = try Checkpoint.read(from: model)
        let net = try checkpoint.makeModel(path: model)
        let info = checkpoint.info
        if format == .gray255 && info.configuration.classes != 2 {
            throw ValidationError("--format gray255 needs a binary model; this one has \(info.configuration.classes) classes")
        }
        let predictor = Predictor(model: net, info: info, tile: tile, memoryBudgetBytes: memoryBudget << 20, batchTiles: batchTiles,
                                  augmentation: testTime.augmentation)
        let files = try ImageFiles.collect(inputs)
        guard !files.isEmpty else { throw ValidationError("no PNG or JPEG images found in \(inputs.joined(separator: ", "))") }
        try AtomicFile.createDirectory(out)
        let palette = info.palette.map { RGBA8($0[0], $0[1], $0[2]) }
        var failures: [String] = []
        let start = Date()
        for (k, file) in files.enumerated() {
            do {
                try predictOne(file, predictor: predictor, info: info, palette: palette)
                printProgress(k + 1, files.count, start)
            } catch {
                failures.append("\(error)")
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
        }
        print("wrote \(files.count - failures.count) mask(s) to \(out)")
        if !failures.isEmpty { throw ExitCode(1) }
    }

    private func printProgress(_ done: Int, _ total: Int, _ start: Date) {
        let elapsed = Date().timeIntervalSince(start)
        let eta = elapsed / Double(done) * Double(total - done)
        let line = String(format: "%d/%d images, %.1f s, ETA %.0f s", done, total, elapsed, eta)
        if isatty(STDERR_FILENO) != 0 {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)\(done == total ? "\n" : "")".utf8))
        } else if done == total || done % 10 == 0 {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    private func predictOne(_ file: ImageFiles.Entry, predictor: Predictor, info: ModelInfo, palette: [RGBA8]) throws {
        let classes = info.configuration.classes
        let channels = info.configuration.inputChannels
        var (pixels, height, width) = try SampleSource.loadImage(file.path, channels: channels)
        let display = pixels
        info.normalization.apply(to: &pixels)
        let probs = predictor.probabilities(pixels, channels: channels, height: height, width: width)
        let mask = Predictor.argmax(probs, classes: classes, height: height, width: width)
        let base = (out as NSString).appendingPathComponent(file.relativeName)
        try AtomicFile.createDirectory((base as NSString).deletingLastPathComponent)
        let maskImage: Image
        switch format {
        case .indexed: maskImage = Image(width: width, height: height, channels: 1, samples: mask.map { UInt8($0) }, palette: palette)
        case .gray255: maskImage = Image(width: width, height: height, channels: 1, samples: mask.map { $0 == 0 ? 0 : 255 })
        }
        try maskImage.write(to: base + ".png", format: .png)
        if overlay {
            let blended = Overlay.blend(mask: mask, overPlanar: display, channels: channels, height: height, width: width,
                                        palette: ClassPalette(colors: info.palette.map { RGBColor($0[0], $0[1], $0[2]) }).forOverlay,
                                        alpha: 0.45, backgroundTransparent: classes == 2)
            try Image(width: width, height: height, channels: 3, samples: blended).write(to: base + "_overlay.png", format: .png)
        }
        if probabilities {
            let plane = width * height
            for c in 0..<classes {
                let samples = (0..<plane).map { UInt16(max(0, min(1, probs[c * plane + $0])) * 65535 + 0.5) }
                let name = info.classNames[c].replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "/", with: "_")
                try Image(width: width, height: height, channels: 1, samples16: samples).write(to: base + "_prob_\(name).png", format: .png)
            }
        }
    }
}

/// Image files named on the command line, with the names their outputs get.
enum ImageFiles {
    struct Entry { let path: String; let relativeName: String }

    static func collect(_ inputs: [String]) throws -> [Entry] {
        var out: [Entry] = []
        let fm = FileManager.default
        for input in inputs {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: input, isDirectory: &isDir) else { throw ValidationError("\(input): no such file or folder") }
            if !isDir.boolValue {
                out.append(Entry(path: input, relativeName: ((input as NSString).lastPathComponent as NSString).deletingPathExtension))
                continue
            }
            guard let walker = fm.enumerator(atPath: input) else { throw ValidationError("\(input): cannot list this folder") }
            var found: [String] = []
            for case let rel as String in walker where ImageFormat(pathExtension: (rel as NSString).pathExtension) != nil {
                if (rel as NSString).lastPathComponent.hasPrefix(".") { continue }
                found.append(rel)
            }
            for rel in found.sorted() {
                out.append(Entry(path: (input as NSString).appendingPathComponent(rel), relativeName: (rel as NSString).deletingPathExtension))
            }
        }
        return out
    }
}
