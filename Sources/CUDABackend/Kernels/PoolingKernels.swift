extension KernelSource {
    /// Max and average pooling without padding, as the reference backend pools: in ceil mode the
    /// last window may hang over the right/bottom edge and covers only the elements inside (the
    /// average divides by their count); max keeps the first maximum and its position in the
    /// plane (`argmax`, int32) for the backward pass, which gathers per input element over the
    /// windows covering it (deterministic, no atomics).
    public static let pooling = KernelSource(name: "pooling", code: """
    extern "C" __global__ void pool_forward(const float *x, float *y, int *argmax, int isMax, int N, int C, int H, int W,
                                            int OH, int OW, int kernel, int stride, int nhwc) {
        UNET_GRID_STRIDE(o, (long)N * C * OH * OW) {
            long n, c, i, j;
            if (nhwc) { c = o % C; j = (o / C) % OW; i = (o / ((long)C * OW)) % OH; n = o / ((long)C * OW * OH); }
            else { j = o % OW; i = (o / OW) % OH; c = (o / ((long)OW * OH)) % C; n = o / ((long)OW * OH * C); }
            int r0 = i * stride, r1 = min(r0 + kernel, H), q0 = j * stride, q1 = min(q0 + kernel, W);
            float best = 0.0f; int bestIndex = -1; double sum = 0.0;
            for (int r = r0; r < r1; r++) for (int q = q0; q < q1; q++) {
                float v = x[unet_index(nhwc, n, c, (long)r * W + q, C, (long)H * W)];
                if (bestIndex < 0 || v > best) { best = v; bestIndex = r * W + q; }
                sum += (double)v;
            }
            if (isMax) { y[o] = best; argmax[o] = bestIndex; }
            else y[o] = (float)(sum / (double)((r1 - r0) * (q1 - q0)));
        }
    }
    extern "C" __global__ void pool_backward(const float *dy, const int *argmax, float *dx, int isMax, int N, int C, int H, int W,
                                             int OH, int OW, int kernel, int stride, int nhwc) {
        UNET_GRID_STRIDE(e, (long)N * C * H * W) {
            long n, c, r, q;
            if (nhwc) { c = e % C; q = (e / C) % W; r = (e / ((long)C * W)) % H; n = e / ((long)C * W * H); }
            else { q = e % W; r = (e / W) % H; c = (e / ((long)W * H)) % C; n = e / ((long)W * H * C); }
            int iLow = r - kernel + 1 > 0 ? (int)((r - kernel + 1 + stride - 1) / stride) : 0, iHigh = min((int)(r / stride), OH - 1);
            int jLow = q - kernel + 1 > 0 ? (int)((q - kernel + 1 + stride - 1) / stride) : 0, jHigh = min((int)(q / stride), OW - 1);
            float g = 0.0f;
            for (int i = iLow; i <= iHigh; i++) for (int j = jLow; j <= jHigh; j++) {
                long o = unet_index(nhwc, n, c, (long)i * OW + j, C, (long)OH * OW);
                if (isMax) { if (argmax[o] == r * W + q) g += dy[o]; }
                else {
                    int rows = min(i * stride + kernel, H) - i * stride, cols = min(j * stride + kernel, W) - j * stride;
                    g += dy[o] / (float)(rows * cols);
                }
            }
            dx[e] = g;
        }
    }
    """, kernels: ["pool_forward", "pool_backward"])
}
