extension KernelSource {
    /// Softmax over channels, the losses built on it, and the prediction metrics. One thread per
    /// pixel (n, p) of an activation [N, C, H, W] with HW = H·W pixels per plane; targets are
    /// class indices [N, H, W]; class weights [C] and pixel weights [N, H, W] may be null (weight
    /// 1). Per-pixel arithmetic is in double, as in the reference backend. Sums go through
    /// per-block partials (`partial[block * columns + column]`), added up by the reduction
    /// source's `sum_partials`, so they are deterministic.
    public static let loss = KernelSource(name: "loss", code: """
    extern "C" __global__ void softmax_channels(const float *x, float *y, int N, int C, long HW, int nhwc) {
        UNET_GRID_STRIDE(j, (long)N * HW) {
            long n = j / HW, p = j % HW;
            double m = x[unet_index(nhwc, n, 0, p, C, HW)];
            for (int c = 1; c < C; c++) m = fmax(m, (double)x[unet_index(nhwc, n, c, p, C, HW)]);
            double sum = 0.0;
            for (int c = 0; c < C; c++) sum += exp((double)x[unet_index(nhwc, n, c, p, C, HW)] - m);
            for (int c = 0; c < C; c++) {
                long k = unet_index(nhwc, n, c, p, C, HW);
                y[k] = (float)(exp((double)x[k] - m) / sum);
            }
        }
    }
    extern "C" __global__ void softmax_backward(const float *dy, const float *y, float *dx, int N, int C, long HW, int nhwc) {
        UNET_GRID_STRIDE(j, (long)N * HW) {
            long n = j / HW, p = j % HW;
            double dot = 0.0;
            for (int c = 0; c < C; c++) { long k = unet_index(nhwc, n, c, p, C, HW); dot += (double)y[k] * (double)dy[k]; }
            for (int c = 0; c < C; c++) { long k = unet_index(nhwc, n, c, p, C, HW); dx[k] = (float)((double)y[k] * ((double)dy[k] - dot)); }
        }
    }
    // Writes the probabilities and, per block, partial[2 * block] = sum of w * (-log p_t), partial[2 * block + 1] = sum of w.
    extern "C" __global__ void softmax_cross_entropy(const float *x, const int *targets, const float *classWeights,
                                                     const float *pixelWeights, float *probabilities, double *partial,
                                                     int N, int C, long HW, int nhwc) {
        __shared__ double shared[UNET_BLOCK];
        double lossSum = 0.0, weightSum = 0.0;
        UNET_GRID_STRIDE(j, (long)N * HW) {
            long n = j / HW, p = j % HW;
            int t = targets[j];
            double w = (classWeights ? (double)classWeights[t] : 1.0) * (pixelWeights ? (double)pixelWeights[j] : 1.0);
            double m = x[unet_index(nhwc, n, 0, p, C, HW)];
            for (int c = 1; c < C; c++) m = fmax(m, (double)x[unet_index(nhwc, n, c, p, C, HW)]);
            double sum = 0.0;
            for (int c = 0; c < C; c++) sum += exp((double)x[unet_index(nhwc, n, c, p, C, HW)] - m);
            for (int c = 0; c < C; c++) {
                long k = unet_index(nhwc, n, c, p, C, HW);
                probabilities[k] = (float)(exp((double)x[k] - m) / sum);
            }
            lossSum += w * -((double)x[unet_index(nhwc, n, t, p, C, HW)] - m - log(sum));
            weightSum += w;
        }
        double l = unet_block_sum(lossSum, shared);
        double w = unet_block_sum(weightSum, shared);
        if (threadIdx.x == 0) { partial[2 * blockIdx.x] = l; partial[2 * blockIdx.x + 1] = w; }
    }
    // dx_c = scale * w * (p_c - [c = t]).
    extern "C" __global__ void softmax_cross_entropy_backward(const float *probabilities, const int *targets, const float *classWeights,
                                                              const float *pixelWeights, float scale, float *dx,
                                                              int N, int C, long HW, int nhwc) {
        UNET_GRID_STRIDE(j, (long)N * HW) {
            long n = j / HW, p = j % HW;
            int t = targets[j];
            double w = (classWeights ? (double)classWeights[t] : 1.0) * (pixelWeights ? (double)pixelWeights[j] : 1.0) * (double)scale;
            for (int c = 0; c < C; c++) {
                long k = unet_index(nhwc, n, c, p, C, HW);
                dx[k] = (float)(w * ((double)probabilities[k] - (c == t ? 1.0 : 0.0)));
            }
        }
    }
    // Soft Dice's sums; per block and class c: partial[block * 3C + c] = intersection_c,
    // [.. + C + c] = probability sum_c, [.. + 2C + c] = target count_c.
    extern "C" __global__ void dice_sums(const float *probabilities, const int *targets, double *partial, int N, int C, long HW, int nhwc) {
        __shared__ double shared[UNET_BLOCK];
        for (int c = 0; c < C; c++) {
            double inter = 0.0, prob = 0.0, count = 0.0;
            UNET_GRID_STRIDE(j, (long)N * HW) {
                long n = j / HW, p = j % HW;
                double pc = probabilities[unet_index(nhwc, n, c, p, C, HW)];
                prob += pc;
                if (targets[j] == c) { inter += pc; count += 1.0; }
            }
            double a = unet_block_sum(inter, shared), b = unet_block_sum(prob, shared), d = unet_block_sum(count, shared);
            if (threadIdx.x == 0) {
                partial[(long)blockIdx.x * 3 * C + c] = a;
                partial[(long)blockIdx.x * 3 * C + C + c] = b;
                partial[(long)blockIdx.x * 3 * C + 2 * C + c] = d;
            }
        }
    }
    // dp_c = a_c [t = c] + b_c, taken through the softmax: dx_c = p_c (dp_c - sum_k p_k dp_k).
    extern "C" __global__ void dice_backward(const float *probabilities, const int *targets, const double *a, const double *b, float *dx,
                                             int N, int C, long HW, int nhwc) {
        UNET_GRID_STRIDE(j, (long)N * HW) {
            long n = j / HW, p = j % HW;
            int t = targets[j];
            double dot = 0.0;
            for (int c = 0; c < C; c++) dot += ((c == t ? a[c] : 0.0) + b[c]) * (double)probabilities[unet_index(nhwc, n, c, p, C, HW)];
            for (int c = 0; c < C; c++) {
                long k = unet_index(nhwc, n, c, p, C, HW);
                dx[k] = (float)((double)probabilities[k] * ((c == t ? a[c] : 0.0) + b[c] - dot));
            }
        }
    }
    // Lovász-softmax's errors for class c: e_j = 1 - p_jc on class-c pixels, p_jc elsewhere (sorted on the host).
    extern "C" __global__ void lovasz_errors(const float *probabilities, const int *targets, int c, float *errors,
                                             int N, int C, long HW, int nhwc) {
        UNET_GRID_STRIDE(j, (long)N * HW) {
            long n = j / HW, p = j % HW;
            float pc = probabilities[unet_index(nhwc, n, c, p, C, HW)];
            errors[j] = targets[j] == c ? 1.0f - pc : pc;
        }
    }
    // dp_c = scale * slope_c * (t = c ? -1 : +1) (slopes [C, N HW]), through the softmax.
    extern "C" __global__ void lovasz_backward(const float *probabilities, const int *targets, const float *slopes, float scale, float *dx,
                                               int N, int C, long HW, int nhwc) {
        UNET_GRID_STRIDE(j, (long)N * HW) {
            long n = j / HW, p = j % HW, count = (long)N * HW;
            int t = targets[j];
            double dot = 0.0;
            for (int c = 0; c < C; c++) {
                double dp = (double)scale * (double)slopes[c * count + j] * (c == t ? -1.0 : 1.0);
                dot += dp * (double)probabilities[unet_index(nhwc, n, c, p, C, HW)];
            }
            for (int c = 0; c < C; c++) {
                long k = unet_index(nhwc, n, c, p, C, HW);
                double dp = (double)scale * (double)slopes[c * count + j] * (c == t ? -1.0 : 1.0);
                dx[k] = (float)((double)probabilities[k] * (dp - dot));
            }
        }
    }
    // The channel with the largest value per pixel (the lowest on ties; a NaN in channel 0 wins).
    extern "C" __global__ void argmax_channels(const float *x, int *indices, int N, int C, long HW, int nhwc) {
        UNET_GRID_STRIDE(j, (long)N * HW) {
            long n = j / HW, p = j % HW;
            float best = x[unet_index(nhwc, n, 0, p, C, HW)];
            int index = 0;
            for (int c = 1; c < C; c++) {
                float v = x[unet_index(nhwc, n, c, p, C, HW)];
                if (v > best) { best = v; index = c; }
            }
            indices[j] = index;
        }
    }
    // counts[truth * classes + prediction] += 1 per pixel (integer atomics: exact in any order).
    extern "C" __global__ void confusion_counts(const int *truth, const int *prediction, int classes, long count,
                                                unsigned long long *counts) {
        UNET_GRID_STRIDE(j, count) atomicAdd(&counts[(long)truth[j] * classes + prediction[j]], 1ULL);
    }
    // counts[t] += 1 for t in 0..<classes, counts[classes] += 1 for any other value.
    extern "C" __global__ void class_counts(const int *targets, int classes, long count, unsigned long long *counts) {
        UNET_GRID_STRIDE(j, count) {
            int t = targets[j];
            atomicAdd(&counts[t >= 0 && t < classes ? t : classes], 1ULL);
        }
    }
    """, kernels: ["class_counts", "softmax_channels", "softmax_backward", "softmax_cross_entropy", "softmax_cross_entropy_backward", "dice_sums",
                   "dice_backward", "lovasz_errors", "lovasz_backward", "argmax_channels", "confusion_counts"])
}
