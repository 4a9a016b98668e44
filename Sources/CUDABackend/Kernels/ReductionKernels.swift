extension KernelSource {
    /// Reductions in double precision, deterministic: a fixed grid writes one partial sum per
    /// block (`*_partial`), then `sum_partials` adds each column of the partials in one block.
    public static let reduction = KernelSource(name: "reduction", code: """
    extern "C" __global__ void sum_squares_partial(const float *x, long n, double *partial) {
        __shared__ double shared[UNET_BLOCK];
        double s = 0.0;
        UNET_GRID_STRIDE(i, n) { double v = x[i]; s += v * v; }
        double total = unet_block_sum(s, shared);
        if (threadIdx.x == 0) partial[blockIdx.x] = total;
    }
    extern "C" __global__ void count_nonfinite_partial(const float *x, long n, double *partial) {
        __shared__ double shared[UNET_BLOCK];
        double s = 0.0;
        UNET_GRID_STRIDE(i, n) { if (!isfinite(x[i])) s += 1.0; }
        double total = unet_block_sum(s, shared);
        if (threadIdx.x == 0) partial[blockIdx.x] = total;
    }
    // out[j] = sum over rows r of partial[r * columns + j]; one block per column j.
    extern "C" __global__ void sum_partials(const double *partial, int rows, int columns, double *out) {
        __shared__ double shared[UNET_BLOCK];
        double s = 0.0;
        for (int r = threadIdx.x; r < rows; r += blockDim.x) s += partial[(long)r * columns + blockIdx.x];
        double total = unet_block_sum(s, shared);
        if (threadIdx.x == 0) out[blockIdx.x] = total;
    }
    // Mean over each (n, c) plane: one block per plane, y [N, C] (the [N,C,1,1] result).
    extern "C" __global__ void global_average_pool(const float *x, float *y, int C, long HW, int nhwc) {
        __shared__ double shared[UNET_BLOCK];
        long n = blockIdx.x / C, c = blockIdx.x % C;
        double s = 0.0;
        for (long p = threadIdx.x; p < HW; p += blockDim.x) s += x[unet_index(nhwc, n, c, p, C, HW)];
        double total = unet_block_sum(s, shared);
        if (threadIdx.x == 0) y[blockIdx.x] = (float)(total / (double)HW);
    }
    extern "C" __global__ void global_average_pool_backward(const float *dy, float *dx, int N, int C, long HW, int nhwc) {
        UNET_GRID_STRIDE(i, (long)N * C * HW) {
            long c = nhwc ? i % C : (i / HW) % C;
            long n = i / ((long)C * HW);
            dx[i] = dy[n * C + c] / (float)HW;
        }
    }
    """, kernels: ["sum_squares_partial", "count_nonfinite_partial", "sum_partials", "global_average_pool", "global_average_pool_backward"])
}
