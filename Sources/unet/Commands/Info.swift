import ArgumentParser
import CPUBackend
import CUDABackend
import Foundation
import Tensors
import Training

/// `unet info`: what a checkpoint holds, or which compute devices this machine has.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a checkpoint's model, sizes and classes, or the compute devices found (--devices).",
        discussion: """
        --devices lists the CPU and what was found for CUDA: the NVIDIA driver, each GPU (name, \
        memory, compute capability), cuDNN and NVRTC with their versions and paths, or why each \
        is missing. The NVIDIA libraries are searched in UNET_CUDA_LIBRARY_PATH (folders, \
        colon-separated), the loader's path, /usr/local/cuda*/lib64 and Python's nvidia wheels.
        """)

    @Argument(help: "Checkpoint (.safetensors).")
    var checkpoint: String?

    @Flag(help: "List the compute devices instead (CPU, NVIDIA GPUs, cuDNN, NVRTC).")
    var devices = false

    func validate() throws {
        if devices && checkpoint != nil { throw ValidationError("give a checkpoint or --devices, not both") }
        if !devices && checkpoint == nil { throw ValidationError("give a checkpoint (.safetensors), or --devices") }
    }

    func run() throws {
        guard let checkpoint else { return listDevices() }
        let ck = try Checkpoint.read(from: checkpoint)
        let model = try ck.makeModel(path: checkpoint)
        let c = ck.info.configuration
        print("checkpoint   \(checkpoint)")
        print("model        U-Net, depth \(c.depth), width \(c.baseWidth) ×\(c.widthMultiplier) per level, \(c.block.rawValue) blocks, \(c.padding.rawValue) padding, \(c.upsampling.rawValue) up-sampling, batch norm \(c.batchNorm ? "on" : "off"), dropout \(c.dropout)")
        print("parameters   \(model.parameterCount)")
        let n = ck.info.normalization
        switch n.scheme {
        case .dataset:
            print("input        \(c.inputChannels) channel(s), normalised by mean \(n.mean) std \(n.std)")
        case .percentile(let low, let high):
            print("input        \(c.inputChannels) channel(s), normalised per image: percentiles \(low) and \(high) to 0 and 1 (clipped), then mean \(n.mean) std \(n.std)")
        }
        let m = c.minimumInput
        let examples = [m, c.nearestValidInput(to: 256), c.nearestValidInput(to: 572)].map { "\($0)→\(c.outputSize(forInput: $0)!)" }
        print("sizes        valid inputs (input→output): \(examples.joined(separator: ", ")); border \(c.borderPerSide) px per side; receptive field \(c.receptiveField) px")
        print("classes      " + ck.info.classNames.enumerated().map { "\($0.offset) \($0.element) \(ck.info.palette[$0.offset])" }.joined(separator: ", "))
        if let t = ck.training {
            print("training     step \(t.step), epoch \(t.epoch), best validation mean IoU \(t.bestMeanIoU.map { String(format: "%.4f", $0) } ?? "-") at epoch \(t.bestEpoch.map(String.init) ?? "-")")
        }
    }

    func listDevices() {
        let cpu = CPUBackend.shared
        print("cpu          oneDNN on \(cpu.instructionSet.name), activations \(cpu.activationLayout), Winograd \(cpu.winogradAvailable ? "yes" : "no"), "
              + "\(UsableCores.count) usable cores of \(ProcessInfo.processInfo.processorCount)")
        for line in CUDADeviceInventory.probe().lines { print(line) }
    }
}
