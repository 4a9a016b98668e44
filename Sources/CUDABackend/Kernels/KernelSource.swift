/// A CUDA C source compiled at run time with NVRTC: a name for messages and caches, the code
/// (the shared prelude is put in front of it) and the `extern "C"` kernels it defines, which the
/// backend looks up by name in the compiled module.
///
/// Why NVRTC rather than committed PTX: the sources stay readable and reviewable beside the
/// Swift that launches them, the code is compiled for the exact GPU present (sm_XY cubin, no
/// driver JIT), and there is no generated artefact to keep in step with its source. The cost,
/// a fraction of a second per source at the first use in a process, is paid once per process.
public struct KernelSource: Sendable {
    public let name: String
    public let code: String
    public let kernels: [String]

    public init(name: String, code: String, kernels: [String]) {
        self.name = name
        self.code = code
        self.kernels = kernels
    }

    /// What every source sees first: index arithmetic for the two activation layouts and a
    /// deterministic block reduction (fixed order: results do not depend on scheduling). Kernels
    /// launch with UNET_BLOCK threads per block (the CPU emulator of the tests builds them with 1).
    static let prelude = """
    // Element (n, c, pixel p) of an activation with C channels and HW pixels per plane.
    __device__ __forceinline__ long unet_index(int nhwc, long n, long c, long p, long C, long HW) {
        return nhwc ? (n * HW + p) * C + c : (n * C + c) * HW + p;
    }
    #define UNET_GRID_STRIDE(i, n) for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < (n); i += (long)blockDim.x * gridDim.x)
    #ifndef UNET_BLOCK
    #define UNET_BLOCK 256
    #endif
    // Sum of `value` over the block (blockDim.x == UNET_BLOCK), returned to thread 0.
    __device__ double unet_block_sum(double value, double *shared) {
        shared[threadIdx.x] = value;
        __syncthreads();
        for (int s = UNET_BLOCK / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s) shared[threadIdx.x] += shared[threadIdx.x + s];
            __syncthreads();
        }
        double total = shared[0];
        __syncthreads();
        return total;
    }

    """

    /// The full text handed to NVRTC.
    public var fullCode: String { Self.prelude + code }

    /// Every kernel source of the backend.
    public static let all: [KernelSource] = [.elementwise, .optimizer, .reduction, .loss, .copy, .normalization, .pooling]
}
