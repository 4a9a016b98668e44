extension KernelSource {
    /// The optimizers' fused per-tensor updates, as `AdamStep` and `SGDStep` state them (and as
    /// the reference backend computes them, in the same order of operations).
    public static let optimizer = KernelSource(name: "optimizer", code: """
    extern "C" __global__ void adam_update(float *p, const float *g, float *m, float *v, float learningRate, float beta1, float beta2,
                                           float oneMinusBeta1, float oneMinusBeta2, float epsilon, float weightDecay, int decoupled,
                                           float stepSize, float c2Root, long n) {
        UNET_GRID_STRIDE(i, n) {
            float w = p[i], d = g[i];
            if (decoupled) w -= learningRate * weightDecay * w; else d += weightDecay * w;
            float mi = beta1 * m[i] + oneMinusBeta1 * d;
            float vi = beta2 * v[i] + oneMinusBeta2 * d * d;
            m[i] = mi;
            v[i] = vi;
            p[i] = w - stepSize * mi / (sqrtf(vi) / c2Root + epsilon);
        }
    }
    extern "C" __global__ void sgd_update(float *p, const float *g, float *buffer, float learningRate, float momentum, int nesterov,
                                          float weightDecay, int firstStep, long n) {
        UNET_GRID_STRIDE(i, n) {
            float d = g[i] + weightDecay * p[i];
            if (momentum == 0.0f) { p[i] -= learningRate * d; continue; }
            float b = firstStep ? d : momentum * buffer[i] + d;
            buffer[i] = b;
            p[i] -= learningRate * (nesterov ? d + momentum * b : b);
        }
    }
    """, kernels: ["adam_update", "sgd_update"])
}
