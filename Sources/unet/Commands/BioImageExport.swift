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
        let classes = info.classNames.joined(separator: ", ")
        let description = try BioImageDescription(
            name: command.name ?? "U-Net segmentation (\(info.configuration.classes) classes)",
            summary: command.description ?? "2-D semantic segmentation into \(info.configuration.classes) classes (\(classes)) by a U-Net trained with unet.",
            authors: command.authors, license: command.license, citations: command.citations)
        guard let imagePath = command.testImage else {
            throw CommandFailure("--test-image: missing; a bioimage.io package needs a test input (and its cover is drawn from it): give an image like the ones the model segments")
        }
        let zip = command.out.lowercased().hasSuffix(".zip")
        if zip {
            try OutputSafety.checkFile(command.out, option: "--out", against: inputs)
            try ExportTarget.checkReplaceable(command.out, kind: .zip)
        } else {
            try OutputSafety.checkFolder(command.out, against: inputs)
            try ExportTarget.checkReplaceable(command.out, kind: .folder)
        }
        let rule = InputSizeRule(info.configuration)
        let test = try TestInput.load(imagePath, channels: info.configuration.inputChannels, rule: rule, allowLuminance: command.colorToGray)
        let package = try BioImagePackage(checkpoint: checkpoint, output: output, test: test, description: description)
        if zip {
            var archive = ZipArchive()
            for (name, bytes) in package.files { archive.add(name, bytes) }
            try AtomicFile.write(try archive.encoded(), to: command.out)
        } else {
            try AtomicFile.createDirectory(command.out)
            for (name, bytes) in package.files { try AtomicFile.write(bytes, to: (command.out as NSString).appendingPathComponent(name)) }
        }
        print("wrote \(command.out): bioimage.io package (format \(BioImagePackage.formatVersion)), \(package.files.map(\.name).joined(separator: ", ")); "
              + "test input \(test.width)×\(test.height) from \(imagePath)")
    }
}
