extension KernelSource {
    /// Layout-independent elementwise kernels over n elements (grid-stride loops), with the
    /// reference backend's formulas: ReLU maps NaN to 0; the activations' backward masks by the
    /// output (y > 0 exactly where x > 0).
    public static let elementwise = KernelSource(name: "elementwise", code: """
    extern "C" __global__ void fill_f32(float *y, float value, long n) {
        UNET_GRID_STRIDE(i, n) y[i] = value;
    }
    extern "C" __global__ void add_f32(const float *a, const float *b, float *y, long n) {
        UNET_GRID_STRIDE(i, n) y[i] = a[i] + b[i];
    }
    extern "C" __global__ void add_relu_f32(const float *a, const float *b, float *y, long n) {
        UNET_GRID_STRIDE(i, n) { float v = a[i] + b[i]; y[i] = v > 0.0f ? v : 0.0f; }
    }
    // a += b
    extern "C" __global__ void accumulate_f32(float *a, const float *b, long n) {
        UNET_GRID_STRIDE(i, n) a[i] += b[i];
    }
    // a += alpha * b
    extern "C" __global__ void axpy_f32(float alpha, const float *b, float *a, long n) {
        UNET_GRID_STRIDE(i, n) a[i] += alpha * b[i];
    }
    extern "C" __global__ void multiply_f32(const float *a, const float *b, float *y, long n) {
        UNET_GRID_STRIDE(i, n) y[i] = a[i] * b[i];
    }
    // y = factor * x (y may be x: the in-place scale).
    extern "C" __global__ void scale_f32(const float *x, float factor, float *y, long n) {
        UNET_GRID_STRIDE(i, n) y[i] = x[i] * factor;
    }
    extern "C" __global__ void relu_f32(const float *x, float *y, long n) {
        UNET_GRID_STRIDE(i, n) { float v = x[i]; y[i] = v > 0.0f ? v : 0.0f; }
    }
    extern "C" __global__ void leaky_relu_f32(const float *x, float slope, float *y, long n) {
        UNET_GRID_STRIDE(i, n) { float v = x[i]; y[i] = v > 0.0f ? v : slope * v; }
    }
    extern "C" __global__ void relu_backward_f32(const float *dy, const float *y, float *dx, long n) {
        UNET_GRID_STRIDE(i, n) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
    }
    extern "C" __global__ void leaky_relu_backward_f32(const float *dy, const float *y, float slope, float *dx, long n) {
        UNET_GRID_STRIDE(i, n) dx[i] = y[i] > 0.0f ? dy[i] : slope * dy[i];
    }
    // float32 -> bfloat16, round to nearest even; NaN stays a (quiet) NaN.
    extern "C" __global__ void f32_to_bf16(const float *x, unsigned short *y, long n) {
        UNET_GRID_STRIDE(i, n) {
            unsigned int bits = __float_as_uint(x[i]);
            if ((bits & 0x7fffffffu) > 0x7f800000u) { y[i] = (unsigned short)((bits >> 16) | 0x40u); continue; }
            bits += 0x7fffu + ((bits >> 16) & 1u);
            y[i] = (unsigned short)(bits >> 16);
        }
    }
    extern "C" __global__ void bf16_to_f32(const unsigned short *x, float *y, long n) {
        UNET_GRID_STRIDE(i, n) y[i] = __uint_as_float(((unsigned int)x[i]) << 16);
    }
    extern "C" __global__ void i32_to_f32(const int *x, float *y, long n) {
        UNET_GRID_STRIDE(i, n) y[i] = (float)x[i];
    }
    // Batch norm's running statistics, all [c]:
    // mean = (1 - momentum) mean + momentum batchMean; variance = (1 - momentum) variance + momentum batchVariance unbias.
    extern "C" __global__ void running_statistics(float *mean, float *variance, const float *batchMean, const float *batchVariance,
                                                  float momentum, float unbias, long c) {
        UNET_GRID_STRIDE(i, c) {
            mean[i] = (1.0f - momentum) * mean[i] + momentum * batchMean[i];
            variance[i] = (1.0f - momentum) * variance[i] + momentum * batchVariance[i] * unbias;
        }
    }
    // Inverted dropout's mask: DropoutMask.value(seed, index, p) per plain index (splitmix64's
    // finaliser of seed + (index + 1) * golden ratio; 24 bits against p; 0 or 1 / (1 - p)).
    extern "C" __global__ void dropout_mask(float *mask, unsigned long long seed, float p, long n) {
        UNET_GRID_STRIDE(i, n) {
            unsigned long long z = seed + ((unsigned long long)i + 1ULL) * 0x9E3779B97F4A7C15ULL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            z = z ^ (z >> 31);
            float unit = (float)(z >> 40) * 0x1p-24f;
            mask[i] = unit < p ? 0.0f : 1.0f / (1.0f - p);
        }
    }
    """, kernels: ["dropout_mask", "fill_f32", "add_f32", "add_relu_f32", "accumulate_f32", "axpy_f32", "multiply_f32", "scale_f32", "relu_f32",
                   "leaky_relu_f32", "relu_backward_f32", "leaky_relu_backward_f32", "f32_to_bf16", "bf16_to_f32", "i32_to_f32",
                   "running_statistics"])
}
