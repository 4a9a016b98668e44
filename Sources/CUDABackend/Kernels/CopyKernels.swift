extension KernelSource {
    /// Copies between activations: channel concatenation and split, crops, nearest up-sampling
    /// and their backward passes, and the NCHW ↔ NHWC relayout. One thread per output element.
    public static let copy = KernelSource(name: "copy", code: """
    // part [N, Cpart, HW] -> whole [N, Cwhole, HW] at channel offset (concatenation).
    extern "C" __global__ void place_channels(const float *part, float *whole, int N, int Cpart, int Cwhole, int offset, long HW, int nhwc) {
        UNET_GRID_STRIDE(i, (long)N * Cpart * HW) {
            long n, c, p;
            if (nhwc) { c = i % Cpart; p = (i / Cpart) % HW; n = i / ((long)Cpart * HW); }
            else { p = i % HW; c = (i / HW) % Cpart; n = i / ((long)Cpart * HW); }
            whole[unet_index(nhwc, n, c + offset, p, Cwhole, HW)] = part[i];
        }
    }
    // whole [N, Cwhole, HW] at channel offset -> part [N, Cpart, HW] (the split).
    extern "C" __global__ void take_channels(const float *whole, float *part, int N, int Cpart, int Cwhole, int offset, long HW, int nhwc) {
        UNET_GRID_STRIDE(i, (long)N * Cpart * HW) {
            long n, c, p;
            if (nhwc) { c = i % Cpart; p = (i / Cpart) % HW; n = i / ((long)Cpart * HW); }
            else { p = i % HW; c = (i / HW) % Cpart; n = i / ((long)Cpart * HW); }
            part[i] = whole[unet_index(nhwc, n, c + offset, p, Cwhole, HW)];
        }
    }
    // y [N, C, h, w] = x [N, C, H, W] from row top, column left.
    extern "C" __global__ void crop(const float *x, float *y, int N, int C, int H, int W, int top, int left, int h, int w, int nhwc) {
        UNET_GRID_STRIDE(i, (long)N * C * h * w) {
            long n, c, r, q;
            if (nhwc) { c = i % C; q = (i / C) % w; r = (i / ((long)C * w)) % h; n = i / ((long)C * w * h); }
            else { q = i % w; r = (i / w) % h; c = (i / ((long)w * h)) % C; n = i / ((long)w * h * C); }
            y[i] = x[unet_index(nhwc, n, c, (r + top) * W + q + left, C, (long)H * W)];
        }
    }
    // The crop's backward: dy [N, C, h, w] placed at (top, left) in dx [N, C, H, W], which the caller zeroed.
    extern "C" __global__ void crop_backward(const float *dy, float *dx, int N, int C, int H, int W, int top, int left, int h, int w, int nhwc) {
        UNET_GRID_STRIDE(i, (long)N * C * h * w) {
            long n, c, r, q;
            if (nhwc) { c = i % C; q = (i / C) % w; r = (i / ((long)C * w)) % h; n = i / ((long)C * w * h); }
            else { q = i % w; r = (i / w) % h; c = (i / ((long)w * h)) % C; n = i / ((long)w * h * C); }
            dx[unet_index(nhwc, n, c, (r + top) * W + q + left, C, (long)H * W)] = dy[i];
        }
    }
    // y [N, C, 2H, 2W] from x [N, C, H, W]: each input pixel repeated over a 2x2 block.
    extern "C" __global__ void upsample_nearest2x(const float *x, float *y, int N, int C, int H, int W, int nhwc) {
        long W2 = 2L * W, H2 = 2L * H;
        UNET_GRID_STRIDE(i, (long)N * C * H2 * W2) {
            long n, c, r, q;
            if (nhwc) { c = i % C; q = (i / C) % W2; r = (i / (C * W2)) % H2; n = i / (C * W2 * H2); }
            else { q = i % W2; r = (i / W2) % H2; c = (i / (W2 * H2)) % C; n = i / (W2 * H2 * C); }
            y[i] = x[unet_index(nhwc, n, c, (r / 2) * W + q / 2, C, (long)H * W)];
        }
    }
    // dx [N, C, H, W]: the sum of dy [N, C, 2H, 2W] over each 2x2 block.
    extern "C" __global__ void upsample_nearest2x_backward(const float *dy, float *dx, int N, int C, int H, int W, int nhwc) {
        long W2 = 2L * W, HW2 = 4L * H * W;
        UNET_GRID_STRIDE(i, (long)N * C * H * W) {
            long n, c, r, q;
            if (nhwc) { c = i % C; q = (i / C) % W; r = (i / ((long)C * W)) % H; n = i / ((long)C * W * H); }
            else { q = i % W; r = (i / W) % H; c = (i / ((long)W * H)) % C; n = i / ((long)W * H * C); }
            long p = 2 * r * W2 + 2 * q;
            dx[i] = dy[unet_index(nhwc, n, c, p, C, HW2)] + dy[unet_index(nhwc, n, c, p + 1, C, HW2)]
                  + dy[unet_index(nhwc, n, c, p + W2, C, HW2)] + dy[unet_index(nhwc, n, c, p + W2 + 1, C, HW2)];
        }
    }
    extern "C" __global__ void nchw_to_nhwc(const float *x, float *y, int N, int C, long HW) {
        UNET_GRID_STRIDE(i, (long)N * C * HW) {
            long c = i % C, p = (i / C) % HW, n = i / ((long)C * HW);
            y[i] = x[(n * C + c) * HW + p];
        }
    }
    extern "C" __global__ void nhwc_to_nchw(const float *x, float *y, int N, int C, long HW) {
        UNET_GRID_STRIDE(i, (long)N * C * HW) {
            long p = i % HW, c = (i / HW) % C, n = i / ((long)C * HW);
            y[i] = x[(n * HW + p) * C + c];
        }
    }
    """, kernels: ["place_channels", "take_channels", "crop", "crop_backward", "upsample_nearest2x", "upsample_nearest2x_backward",
                   "nchw_to_nhwc", "nhwc_to_nchw"])
}
