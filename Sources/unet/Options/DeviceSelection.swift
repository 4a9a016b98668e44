import ArgumentParser
import CPUBackend
import CUDABackend
import Foundation
import ReferenceBackend
import Tensors

/// Turns a `--device` choice into a backend: a GPU only when the driver, a GPU, cuDNN and NVRTC
/// are all there; otherwise `cuda` fails with the reason and `auto` falls back to the CPU,
/// saying why on standard error (standard output may be a JSON report).
enum DeviceSelection {
    static func backend(for choice: DeviceChoice) throws -> ComputeBackend {
        switch choice {
        case .cpu: return CPUBackend.shared
        case .reference: return ReferenceBackend()
        case .cuda(let ordinal):
            do { return try cudaBackend(ordinal) } catch { throw CommandFailure("--device \(choice): \(error)") }
        case .auto:
            do {
                let backend = try cudaBackend(0)
                note("device auto: \(backend.name)")
                return backend
            } catch {
                note("device auto: cpu (no usable GPU: \((error as? CUDAError)?.summary ?? "\(error)"))")
                return CPUBackend.shared
            }
        }
    }

    /// The CUDA backend on GPU `ordinal`, or the reason there is none.
    static func cudaBackend(_ ordinal: Int) throws -> ComputeBackend {
        let inventory = CUDADeviceInventory.probe()
        if let problem = inventory.problem { throw inventory.error ?? CUDAUnavailable(problem) }
        guard ordinal < inventory.gpus.count else { throw CUDAError.noSuchDevice(ordinal: ordinal, count: inventory.gpus.count) }
        return try CUDABackend.open(ordinal: ordinal)
    }

    /// The default tile memory of `predict`: 1024 MB on the CPU; on a GPU half of its free memory
    /// (the tile planner's budget, so large tiles and batches fill the device).
    static func defaultTileBudgetMB() -> Int {
        if let free = Backend.current.deviceMemory?.freeBytes { return max(16, (free / 2) >> 20) }
        return 1024
    }

    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
