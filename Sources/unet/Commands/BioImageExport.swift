import Export
import FileSafety
import Foundation
import ImageCodecs
import Training

/// The bioimage.io half of `unet export`: checks the options the format requires and the
/// output path, builds the package and writes it as a zip (one atomic file) or into a folder
/// (each file written atomically).
struct BioImageExport {
    let command: Export
    let checkpoint: Checkpoint
    let output: UNetGraph.Output
    let inputs: [OutputSafety.Input]

    func run() throws {
        let info = checkpoint.info
        let description = try BioImageDescription(
            name: command.name ?? "U-Net segmentation (\(info.configuration.classes) classes)",
            summary: command.description ?? defaultSummary(info),
            authors: command.authors, license: command.license, citations: command.citations)
        guard let imagePath = command.testImage else {
            throw CommandFailure("--test-image: missing; a bioimage.io package needs a test input (and its cover is drawn from it): give an image like the ones the model segments")
        }
        let zip = command.out.lowercased().hasSuffix(".zip")
        if zip {
            try OutputSafety.checkFile(command.out, option: "--out", against: inputs)
            try ExportTarget.checkReplaceable(command.out, kind: .zip, overwrite: command.overwrite)
        } else {
            try OutputSafety.checkFolder(command.out, against: inputs)
            try ExportTarget.checkFolder(command.out, files: BioImagePackage.fileNames, inputs: inputs, overwrite: command.overwrite)
        }
        let rule = InputSizeRule(info.configuration)
        let test = try TestInput.load(imagePath, channels: info.configuration.inputChannels, rule: rule, allowLuminance: command.colorToGray)
        let package = try BioImagePackage(checkpoint: checkpoint, output: output, test: test, description: description)
        if zip {
            var archive = ZipArchive()
            for (name, bytes) in package.files { archive.add(name, bytes) }
            try AtomicFile.write(try archive.encoded(), to: command.out)
        } else {
            try ExportTarget.prepareFolder(command.out, files: package.files.map(\.name), inputs: inputs, overwrite: command.overwrite)
            for (name, bytes) in package.files { try AtomicFile.write(bytes, to: (command.out as NSString).appendingPathComponent(name)) }
        }
        for note in description.notes { FileHandle.standardError.write(Data(("note: " + note + "\n").utf8)) }
        print("wrote \(command.out): bioimage.io package (format \(BioImagePackage.formatVersion)), \(package.files.map(\.name).joined(separator: ", ")); "
              + "test input \(test.width)×\(test.height) from \(imagePath)")
    }

    /// The derived description, within the validator's 1024 characters: the class names are
    /// left out when they would not fit (the README lists them).
    func defaultSummary(_ info: ModelInfo) -> String {
        let classes = info.configuration.classes
        let full = "2-D semantic segmentation into \(classes) classes (\(info.classNames.joined(separator: ", "))) by a U-Net trained with unet."
        return full.count <= BioImageDescription.summaryLength ? full : "2-D semantic segmentation into \(classes) classes by a U-Net trained with unet."
    }
}
