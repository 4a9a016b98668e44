@testable import CUDABackend
import Foundation
import NN
import Tensors
import TestSupport
import Training
import XCTest

/// The CUDA backend's host side, run on any machine against stand-in NVIDIA libraries built
/// here: a driver whose device memory is host memory and whose kernels do nothing, a cuDNN that
/// accepts every call, an NVRTC that "compiles" to a placeholder. Values are meaningless; what
/// is tested is everything the backend does around the device: every launch's arguments against
/// the kernel's declared parameters (a mismatch stops the process), allocation and caching,
/// cuDNN's call sequence and plan cache, host copies, and every protocol method reached by
/// training and inference of each block kind. The values are checked on a GPU (conformance).
final class FakeDriverTests: XCTestCase {
    static let folder: String = {
        let path = NSTemporaryDirectory() + "unet-fake-cuda-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    nonisolated(unsafe) static var built: Result<CUDABackend, Error>?

    func backend() throws -> CUDABackend {
        if Self.built == nil { Self.built = Result { try Self.build() } }
        switch Self.built! {
        case .success(let b): return b
        case .failure(let e as XCTSkip): throw e
        case .failure(let e): throw e
        }
    }

    static func build() throws -> CUDABackend {
        let header = try String(contentsOfFile: LibraryLoadingTests.loaderHeader, encoding: .utf8)
        func names(_ list: String, _ next: String) -> [String] {
            guard let start = header.range(of: "#define \(list)(X)"),
                  let end = header.range(of: next, range: start.upperBound..<header.endIndex) else { return [] }
            let block = String(header[start.upperBound..<end.lowerBound])
            let pattern = try! NSRegularExpression(pattern: #"X\([^,]+, (\w+),"#)
            return pattern.matches(in: block, range: NSRange(block.startIndex..., in: block)).compactMap {
                Range($0.range(at: 1), in: block).map { String(block[$0]) }
            }
        }
        func stubs(_ all: [String], except defined: String) -> String {
            all.filter { defined.range(of: "(?<![A-Za-z0-9_])\($0)\\(", options: .regularExpression) == nil }.map { "int \($0)() { return 0; }\n" }.joined()
        }
        let prelude = "#include <stdlib.h>\n#include <string.h>\ntypedef unsigned long long u64;\nstatic int token;\n"
        let driver = prelude + """
        int launches = 0;
        int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
        int cuGetErrorName(int e, const char **s) { *s = "CUDA_ERROR_FAKE"; return 0; }
        int cuGetErrorString(int e, const char **s) { *s = "fake driver"; return 0; }
        int cuDeviceGetCount(int *n) { *n = 1; return 0; }
        int cuDeviceGet(int *d, int o) { *d = o; return 0; }
        int cuDeviceGetName(char *n, int len, int d) { strncpy(n, "Fake GPU", len); return 0; }
        int cuDeviceTotalMem_v2(size_t *b, int d) { *b = (size_t)8 << 30; return 0; }
        int cuDeviceGetAttribute(int *v, int a, int d) { *v = a == 75 ? 9 : a == 76 ? 0 : a == 16 ? 4 : 0; return 0; }
        int cuDevicePrimaryCtxRetain(void **c, int d) { *c = &token; return 0; }
        int cuMemGetInfo_v2(size_t *f, size_t *t) { *f = (size_t)1 << 30; *t = (size_t)8 << 30; return 0; }
        int cuMemAlloc_v2(u64 *p, size_t b) { void *m = calloc(1, b ? b : 1); *p = (u64)m; return m ? 0 : 2; }
        int cuMemFree_v2(u64 p) { free((void *)p); return 0; }
        int cuMemAllocHost_v2(void **p, size_t b) { *p = malloc(b ? b : 1); return *p ? 0 : 2; }
        int cuMemFreeHost(void *p) { free(p); return 0; }
        int cuEventCreate(void **e, unsigned f) { *e = &token; return 0; }
        int cuMemcpyHtoDAsync_v2(u64 to, const void *from, size_t b, void *s) { memcpy((void *)to, from, b); return 0; }
        int cuMemcpyDtoHAsync_v2(void *to, u64 from, size_t b, void *s) { memcpy(to, (void *)from, b); return 0; }
        int cuMemcpyDtoDAsync_v2(u64 to, u64 from, size_t b, void *s) { memcpy((void *)to, (void *)from, b); return 0; }
        int cuMemsetD8Async(u64 to, unsigned char v, size_t n, void *s) { memset((void *)to, v, n); return 0; }
        int cuStreamCreate(void **s, unsigned f) { *s = &token; return 0; }
        int cuModuleLoadData(void **m, const void *image) { *m = &token; return 0; }
        int cuModuleGetFunction(void **f, void *m, const char *name) { *f = &token; return 0; }
        int cuLaunchKernel() { launches++; return 0; }

        """
        let cudnn = prelude + """
        typedef struct { int algo; int status; float time; size_t memory; int determinism; int mathType; int reserved[3]; } perf;
        int finds = 0;
        size_t cudnnGetVersion(void) { return 90100; }
        const char *cudnnGetErrorString(int s) { return "fake cudnn"; }
        int cudnnCreate(void **h) { *h = &token; return 0; }
        int cudnnCreateTensorDescriptor(void **d) { *d = &token; return 0; }
        int cudnnCreateFilterDescriptor(void **d) { *d = &token; return 0; }
        int cudnnCreateConvolutionDescriptor(void **d) { *d = &token; return 0; }
        int cudnnCreateActivationDescriptor(void **d) { *d = &token; return 0; }
        int cudnnCreatePoolingDescriptor(void **d) { *d = &token; return 0; }
        static int found(int *returned, perf *r) { finds++; *returned = 1; memset(r, 0, sizeof *r); r->time = 1; return 0; }
        int cudnnFindConvolutionForwardAlgorithmEx(void *h, void *x, void *xd, void *w, void *wd, void *c, void *y, void *yd, int n, int *returned, perf *r, void *ws, size_t b) { return found(returned, r); }
        int cudnnFindConvolutionBackwardDataAlgorithmEx(void *h, void *w, void *wd, void *dy, void *dyd, void *c, void *dx, void *dxd, int n, int *returned, perf *r, void *ws, size_t b) { return found(returned, r); }
        int cudnnFindConvolutionBackwardFilterAlgorithmEx(void *h, void *x, void *xd, void *dy, void *dyd, void *c, void *dw, void *dwd, int n, int *returned, perf *r, void *ws, size_t b) { return found(returned, r); }

        """
        let nvrtc = prelude + """
        int nvrtcVersion(int *major, int *minor) { *major = 13; *minor = 0; return 0; }
        const char *nvrtcGetErrorString(int r) { return "fake nvrtc"; }
        int nvrtcCreateProgram(void **p, const char *s, const char *n, int h, const char *const *hs, const char *const *ns) { *p = &token; return 0; }
        int nvrtcGetPTXSize(void *p, size_t *b) { *b = 1; return 0; }
        int nvrtcGetPTX(void *p, char *ptx) { ptx[0] = 0; return 0; }
        int nvrtcGetCUBINSize(void *p, size_t *b) { *b = 4; return 0; }
        int nvrtcGetCUBIN(void *p, char *c) { memcpy(c, "\\x7f" "ELF", 4); return 0; }
        int nvrtcGetProgramLogSize(void *p, size_t *b) { *b = 1; return 0; }
        int nvrtcGetProgramLog(void *p, char *log) { log[0] = 0; return 0; }

        """
        try buildStandInLibrary(named: "libcuda.so.1", in: folder,
                                source: driver + stubs(names("UNET_CUDA_DRIVER_FUNCTIONS", "// ---- NVRTC"), except: driver))
        try buildStandInLibrary(named: "libcudnn.so.9", in: folder,
                                source: cudnn + stubs(names("UNET_CUDNN_FUNCTIONS", "#define UNET_DECLARE_POINTER"), except: cudnn))
        try buildStandInLibrary(named: "libnvrtc.so.13", in: folder,
                                source: nvrtc + stubs(names("UNET_NVRTC_FUNCTIONS", "// ---- cuDNN"), except: nvrtc))
        let search = LibrarySearch(folders: [folder])
        return try CUDABackend(driver: try CUDADriver.load(search: search), nvrtc: try NVRTC.load(search: search),
                               cudnn: try CuDNN.load(search: search), ordinal: 0)
    }

    /// The stand-in driver's launch counter.
    func launches(_ b: CUDABackend) -> Int {
        guard let symbol = dlsym(b.context.driver.library.handle, "launches") else { return -1 }
        return Int(symbol.assumingMemoryBound(to: Int32.self).pointee)
    }

    func testTrainingAndInferenceOfEveryBlockKindRunThroughTheBackend() throws {
        let b = try backend()
        XCTAssertEqual(b.name, "cuda:0 (Fake GPU, cuDNN 9.1.0)")
        let before = launches(b)
        Backends.with(b) {
            for (k, block) in [BlockKind.plain, .residual, .preact, .bottleneck].enumerated() {
                var c = UNetConfiguration()
                c.block = block
                c.depth = 2
                c.baseWidth = 8
                c.classes = 3
                c.dropout = 0.2
                c.upsampling = k % 2 == 0 ? .transposed : .nearest
                let model = UNet(c, seed: 5)
                let n = c.inputSize(forOutputAtLeast: 8), out = c.outputSize(forInput: n)!
                var rng = SeededGenerator(seed: 6)
                let x = Tensor(shape: Shape(2, 1, n, n), scalars: (0..<(2 * n * n)).map { _ in rng.nextGaussian() })
                XCTAssertEqual(x.device, .cuda(0))
                let targets = Tensor(shape: Shape(2, out, out), integers: (0..<(2 * out * out)).map { _ in Int32(rng.next() % 3) })
                model.training = true
                let adam = Adam(), sgd = SGD()
                for step in 0..<2 {
                    let tape = Tape()
                    let loss = tape.record {
                        let logits = model(x)
                        return softmaxCrossEntropy(logits, targets: targets) + softDiceLoss(logits, targets: targets)
                            + lovaszSoftmaxLoss(logits, targets: targets)
                    }
                    _ = loss.scalar
                    tape.backward(from: loss)
                    if step == 0 { adam.step(model.parameters, learningRate: 1e-3) } else { sgd.step(model.parameters, learningRate: 1e-2) }
                    zeroGradients(model.parameters)
                }
                model.training = false
                let y = Tape.withoutRecording { model(x) }
                XCTAssertEqual(y.shape, Shape(2, 3, out, out))
                XCTAssertEqual(b.argmaxChannels(y).shape, Shape(2, out, out))
                var counts = [Int64](repeating: 0, count: 9)
                b.accumulateConfusion(truth: targets, prediction: b.argmaxChannels(y), classes: 3, into: &counts)
                XCTAssertEqual(b.classCounts(targets, classes: 3).count, 4)
            }
            // What the U-Net does not reach: average pooling, global pooling, conversions, leaky ReLU, the reductions.
            let x = Tensor(shape: Shape(2, 4, 9, 9), scalars: [Float](repeating: 1, count: 648))
            let (p, context) = b.pool(x, kind: .average, geometry: PoolGeometry(kernel: 3, stride: 2, ceilMode: true), training: true)
            _ = b.poolBackward(p, inputShape: x.shape, inputLayout: .plain, kind: .average, geometry: PoolGeometry(kernel: 3, stride: 2, ceilMode: true), context: context)
            _ = b.globalAveragePoolBackward(b.globalAveragePool(x), inputShape: x.shape)
            _ = b.convert(b.convert(x, to: .bfloat16), to: .float32)
            _ = b.activationBackward(x, y: b.activation(x, .leakyRelu(slope: 0.1)), .leakyRelu(slope: 0.1))
            _ = b.sumOfSquares(x) + Double(b.countNonFinite(x))
            _ = b.fusedConvolution(x, weight: Tensor(shape: Shape(4, 4, 3, 3), scalars: [Float](repeating: 0, count: 144)), bias: nil,
                                   geometry: ConvGeometry(stride: 1, padding: 1), residual: x, relu: false)
        }
        XCTAssertGreaterThan(launches(b) - before, 500, "kernels were launched (each checked against its declared parameters)")
        let copied = b.copy(Backends.with(b) { Tensor(shape: Shape(3), scalars: [1, 2, 3]) })
        XCTAssertEqual(b.download(copied.storage, count: 3) as [Float], [1, 2, 3], "host copies and a device copy")
    }

    func testTheStepLoopTakesNoMemoryFromTheDriverAfterWarmUp() throws {
        let b = try backend()
        var c = UNetConfiguration()
        c.depth = 2
        c.baseWidth = 8
        Backends.with(b) {
            let bench = ModelBenchmark(configuration: c, inputSize: c.inputSize(forOutputAtLeast: 32), batch: 2, seed: 1)
            _ = bench.timeTraining(warmup: 2, steps: 1)
            let before = b.driverAllocations
            _ = bench.timeTraining(warmup: 0, steps: 3)
            _ = bench.timeInference(warmup: 1, repeats: 1)
            let afterTraining = b.driverAllocations
            _ = bench.timeInference(warmup: 0, repeats: 2)
            XCTAssertEqual(b.driverAllocations, afterTraining, "cuMemAlloc calls in inference after warm-up")
            XCTAssertLessThanOrEqual(afterTraining - before, 0, "cuMemAlloc calls in 3 training steps after warm-up")
        }
        XCTAssertGreaterThan(b.peakMemoryBytes, 0)
        XCTAssertGreaterThanOrEqual(b.peakReservedBytes, b.peakMemoryBytes)
    }
}
