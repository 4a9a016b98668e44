extension KernelSource {
    /// Batch normalisation over (N, H, W) per channel, as the reference backend computes it:
    /// two-pass statistics in double (mean, then the biased variance around it), y = γ(x − μ)/σ + β
    /// in double, the fused ReLU's mask recomputed from x in the backward pass, and the fold into
    /// the preceding convolution for inference. Per-channel sums run on a grid of
    /// (chunks, channels): block (k, c) adds its chunk of channel c's M = N·HW elements and writes
    /// partial[k * columns + c]; the reduction source's `sum_partials` adds the chunks.
    public static let normalization = KernelSource(name: "normalization", code: """
    // Element j (0 <= j < M = N * HW) of channel c.
    __device__ __forceinline__ long unet_channel_element(int nhwc, long c, long j, long C, long HW) {
        return unet_index(nhwc, j / HW, c, j % HW, C, HW);
    }
    // Sum over channel c of (x - center[c]) (squares: its square); center may be null (0).
    extern "C" __global__ void channel_sums(const float *x, const double *center, int squares, double *partial,
                                            int N, int C, long HW, int nhwc) {
        __shared__ double shared[UNET_BLOCK];
        long c = blockIdx.y, M = (long)N * HW;
        double mu = center ? center[c] : 0.0, s = 0.0;
        for (long j = blockIdx.x * (long)blockDim.x + threadIdx.x; j < M; j += (long)blockDim.x * gridDim.x) {
            double v = (double)x[unet_channel_element(nhwc, c, j, C, HW)] - mu;
            s += squares ? v * v : v;
        }
        double total = unet_block_sum(s, shared);
        if (threadIdx.x == 0) partial[(long)blockIdx.x * C + c] = total;
    }
    // mean = sums / M, kept in double (the variance pass centres on it) and as float.
    extern "C" __global__ void finish_mean(const double *sums, double M, double *meanDouble, float *mean, int C) {
        UNET_GRID_STRIDE(c, C) { double m = sums[c] / M; meanDouble[c] = m; mean[c] = (float)m; }
    }
    extern "C" __global__ void finish_variance(const double *squares, double M, float *variance, int C) {
        UNET_GRID_STRIDE(c, C) variance[c] = (float)(squares[c] / M);
    }
    // y = gamma (x - mean) / sqrt(variance + eps) + beta, then ReLU when relu != 0.
    extern "C" __global__ void batch_norm_apply(const float *x, float *y, const float *gamma, const float *beta, const float *mean,
                                                const float *variance, float epsilon, int relu, int N, int C, long HW, int nhwc) {
        UNET_GRID_STRIDE(i, (long)N * C * HW) {
            long c = nhwc ? i % C : (i / HW) % C;
            double invStd = 1.0 / sqrt((double)variance[c] + (double)epsilon);
            float v = (float)((double)gamma[c] * ((double)x[i] - (double)mean[c]) * invStd + (double)beta[c]);
            y[i] = relu ? fmaxf(v, 0.0f) : v;
        }
    }
    // The gradient reaching the normalisation: dy, zero where the fused ReLU's input was <= 0.
    __device__ __forceinline__ double unet_bn_upstream(const float *dy, const float *x, long i, double g, double b, double mu,
                                                       double invStd, int relu) {
        if (relu && (float)(g * ((double)x[i] - mu) * invStd + b) <= 0.0f) return 0.0;
        return (double)dy[i];
    }
    // partial[k * 2C + c] = sum of upstream g, partial[k * 2C + C + c] = sum of g * xhat.
    extern "C" __global__ void batch_norm_backward_sums(const float *dy, const float *x, const float *gamma, const float *beta,
                                                        const float *mean, const float *variance, float epsilon, int relu,
                                                        double *partial, int N, int C, long HW, int nhwc) {
        __shared__ double shared[UNET_BLOCK];
        long c = blockIdx.y, M = (long)N * HW;
        double invStd = 1.0 / sqrt((double)variance[c] + (double)epsilon), mu = mean[c], g = gamma[c], b = beta[c];
        double sumG = 0.0, sumGXhat = 0.0;
        for (long j = blockIdx.x * (long)blockDim.x + threadIdx.x; j < M; j += (long)blockDim.x * gridDim.x) {
            long i = unet_channel_element(nhwc, c, j, C, HW);
            double u = unet_bn_upstream(dy, x, i, g, b, mu, invStd, relu);
            sumG += u;
            sumGXhat += u * ((double)x[i] - mu) * invStd;
        }
        double a = unet_block_sum(sumG, shared), d = unet_block_sum(sumGXhat, shared);
        if (threadIdx.x == 0) { partial[(long)blockIdx.x * 2 * C + c] = a; partial[(long)blockIdx.x * 2 * C + C + c] = d; }
    }
    // dx = gamma/sigma (g - sumG/M - xhat sumGXhat/M) with batch statistics, gamma/sigma g with fixed ones;
    // sums = [sumG (C), sumGXhat (C)].
    extern "C" __global__ void batch_norm_backward_dx(const float *dy, const float *x, const float *gamma, const float *beta,
                                                      const float *mean, const float *variance, float epsilon, int relu, int fixed,
                                                      const double *sums, float *dx, int N, int C, long HW, int nhwc) {
        double M = (double)N * (double)HW;
        UNET_GRID_STRIDE(i, (long)N * C * HW) {
            long c = nhwc ? i % C : (i / HW) % C;
            double invStd = 1.0 / sqrt((double)variance[c] + (double)epsilon), mu = mean[c], g = gamma[c], b = beta[c];
            double u = unet_bn_upstream(dy, x, i, g, b, mu, invStd, relu);
            if (fixed) { dx[i] = (float)(g * invStd * u); continue; }
            double xhat = ((double)x[i] - mu) * invStd;
            dx[i] = (float)(g * invStd * (u - sums[c] / M - xhat * sums[C + c] / M));
        }
    }
    extern "C" __global__ void batch_norm_parameter_gradients(const double *sums, float *dgamma, float *dbeta, int C) {
        UNET_GRID_STRIDE(c, C) { dbeta[c] = (float)sums[c]; dgamma[c] = (float)sums[C + c]; }
    }
    // Batch norm folded into the convolution before it (weight [Cout, per], bias may be null):
    // s = gamma / sqrt(variance + eps), w' = w s, b' = (b - mean) s + beta, in double.
    extern "C" __global__ void fold_batch_norm(const float *w, const float *bias, const float *gamma, const float *beta,
                                               const float *mean, const float *variance, float epsilon, float *foldedWeight,
                                               float *foldedBias, int Cout, long per) {
        UNET_GRID_STRIDE(i, (long)Cout * per) {
            long o = i / per;
            double s = (double)gamma[o] / sqrt((double)variance[o] + (double)epsilon);
            foldedWeight[i] = (float)((double)w[i] * s);
            if (i % per == 0) foldedBias[o] = (float)(((bias ? (double)bias[o] : 0.0) - (double)mean[o]) * s + (double)beta[o]);
        }
    }
    """, kernels: ["channel_sums", "finish_mean", "finish_variance", "batch_norm_apply", "batch_norm_backward_sums",
                   "batch_norm_backward_dx", "batch_norm_parameter_gradients", "fold_batch_norm"])
}
