// swift-tools-version:6.1
// The unet package: a U-Net segmentation toolkit. Imports go one way:
// FileSafety <- ImageCodecs <- Datasets -> Tensors <- NN <- Training <- Reports <- Export <- unet,
// Training <- MessagePassing <- unet, and FileSafety <- SafeTensors <- Training (FileSafety, the file-system primitives, has no dependencies).
import PackageDescription

let v5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "unet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "unet", targets: ["unet"]),
        .library(name: "UNetKit", targets: ["FileSafety", "ImageCodecs", "SafeTensors", "Tensors", "CPUBackend", "CUDABackend", "ReferenceBackend", "NN", "Datasets", "Training", "Reports", "Export"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries from Debian, reached through system-library targets.
        .systemLibrary(name: "CLibPNG", path: "Sources/CLibPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CLibJPEG", path: "Sources/CLibJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CLibTIFF", path: "Sources/CLibTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // C shims: every longjmp (libpng/libjpeg), every libtiff error handler and every
        // version-dependent oneDNN call stays here.
        .target(name: "CImageCodecs", dependencies: ["CLibPNG", "CLibJPEG", "CLibTIFF"]),
        .target(name: "CDNNLShim", dependencies: ["CDNNL"], linkerSettings: [.linkedLibrary("gomp")]),
        // The NVIDIA libraries' few declarations and their dlopen/dlsym binding: nothing of CUDA
        // is needed to build, and nothing of it is loaded unless a GPU is asked for.
        .target(name: "CCUDALoader", linkerSettings: [.linkedLibrary("dl")]),
        // Every MPI call, with MPI's handles kept on the C side.
        .target(name: "CMPIShim", dependencies: ["CMPI"]),
        // Swift modules.
        .target(name: "FileSafety", swiftSettings: v5),
        .target(name: "ImageCodecs", dependencies: ["CImageCodecs", "FileSafety"], swiftSettings: v5),
        .target(name: "SafeTensors", dependencies: ["FileSafety"], swiftSettings: v5),
        .target(name: "Tensors", swiftSettings: v5),
        // Compute backends: each implements Tensors' ComputeBackend; the tool picks one at start-up.
        .target(name: "CPUBackend", dependencies: ["Tensors", "CDNNLShim", "CDNNL"], swiftSettings: v5),
        // NVIDIA GPUs through the driver API, cuDNN and NVRTC kernels, all loaded at run time.
        .target(name: "CUDABackend", dependencies: ["Tensors", "CCUDALoader"], swiftSettings: v5),
        // Plain-loop implementation of every backend method: the oracle of the conformance suite.
        .target(name: "ReferenceBackend", dependencies: ["Tensors"], swiftSettings: v5),
        .target(name: "NN", dependencies: ["Tensors"], swiftSettings: v5),
        .target(name: "Datasets", dependencies: ["FileSafety", "ImageCodecs", "Tensors"], swiftSettings: v5),
        .target(name: "Training", dependencies: ["NN", "Datasets", "SafeTensors", "FileSafety"], swiftSettings: v5),
        // Drawing for people: curves, overlays (Training computes, Reports draws and encodes).
        .target(name: "Reports", dependencies: ["Training", "ImageCodecs", "FileSafety"], swiftSettings: v5),
        .target(name: "Export", dependencies: ["Training", "Reports", "NN", "Datasets", "ImageCodecs", "Tensors"], swiftSettings: v5),
        // Several processes over MPI (mpirun, srun): the launch, the world and its GradientReducer.
        // Only the tool links it; Training sees nothing but GradientReducer.
        .target(name: "MessagePassing", dependencies: ["CMPIShim", "Training", "Tensors"], swiftSettings: v5),
        .executableTarget(name: "unet", dependencies: ["Export", "Reports", "Training", "MessagePassing", "NN", "Datasets", "ImageCodecs", "FileSafety", "Tensors", "CPUBackend", "CUDABackend", "ReferenceBackend", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: v5),
        .executableTarget(name: "KernelBench", dependencies: ["Tensors", "CPUBackend", "ReferenceBackend", "CDNNL"], path: "Tools/KernelBench", swiftSettings: v5),
        // Tests: one target per module; fixtures under Tests/Fixtures (read by path, no Python needed).
        // Helpers shared by the test targets (temporary paths removed at teardown, the backend under test).
        .target(name: "TestSupport", dependencies: ["Tensors", "CPUBackend", "CUDABackend", "ReferenceBackend"], path: "Tests/TestSupport", swiftSettings: v5),
        .testTarget(name: "FileSafetyTests", dependencies: ["FileSafety", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "ImageCodecsTests", dependencies: ["ImageCodecs", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"], swiftSettings: v5),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "CPUBackend", "ReferenceBackend", "SafeTensors", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "NNTests", dependencies: ["NN", "SafeTensors", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "ConformanceTests", dependencies: ["Tensors", "ReferenceBackend", "NN", "Training", "TestSupport"],
                    swiftSettings: v5),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "FileSafety", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Reports", "CPUBackend", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Training", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "CUDABackendTests", dependencies: ["CUDABackend", "CCUDALoader", "Tensors", "NN", "Datasets", "Training", "ImageCodecs", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "MessagePassingTests", dependencies: ["MessagePassing"], swiftSettings: v5),
        .testTarget(name: "UNetToolTests", dependencies: ["Training", "Export", "FileSafety", "TestSupport"], swiftSettings: v5),
    ]
)
