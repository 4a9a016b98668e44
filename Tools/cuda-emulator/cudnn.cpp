// cuDNN 9's legacy API as the CUDA backend calls it, on the CPU, for the tests' emulator: NCHW
// float tensors, cross-correlation with padding and stride (dilation 1), sums in double. It
// states cuDNN's documented semantics in plain loops: forward, backward-data, backward-filter,
// backward-bias, add-tensor (bias broadcast) and the fused convolution-bias-activation.
#include <cstdlib>
#include <cstring>
#include <vector>

struct tensor4 { int n, c, h, w; };
struct convolution { int padH, padW, strideH, strideW; };
struct activation { int mode; };
struct perf { int algo; int status; float time; size_t memory; int determinism; int mathType; int reserved[3]; };
static int token;

static long at(const tensor4 &t, int n, int c, int h, int w) { return (((long)n * t.c + c) * t.h + h) * t.w + w; }

// y = alpha * conv(x, w) + beta * y (y's old value only read when beta != 0).
static void forward(const tensor4 &xd, const float *x, const tensor4 &wd, const float *w, const convolution &cv,
                    const tensor4 &yd, float *y, float alpha, float beta) {
    for (int n = 0; n < yd.n; n++) for (int k = 0; k < yd.c; k++) for (int i = 0; i < yd.h; i++) for (int j = 0; j < yd.w; j++) {
        double s = 0;
        for (int c = 0; c < xd.c; c++) for (int a = 0; a < wd.h; a++) for (int b = 0; b < wd.w; b++) {
            int h = i * cv.strideH + a - cv.padH, q = j * cv.strideW + b - cv.padW;
            if (h < 0 || h >= xd.h || q < 0 || q >= xd.w) continue;
            s += (double)x[at(xd, n, c, h, q)] * (double)w[at(wd, k, c, a, b)];
        }
        float &out = y[at(yd, n, k, i, j)];
        out = (float)(alpha * s + (beta != 0 ? beta * (double)out : 0.0));
    }
}

extern "C" {
size_t cudnnGetVersion(void) { return 90100; }
const char *cudnnGetErrorString(int) { return "emulated cuDNN error"; }
int cudnnCreate(void **h) { *h = &token; return 0; }
int cudnnDestroy(void *) { return 0; }
int cudnnSetStream(void *, void *) { return 0; }
int cudnnCreateTensorDescriptor(tensor4 **d) { *d = new tensor4(); return 0; }
int cudnnSetTensor4dDescriptor(tensor4 *d, int format, int type, int n, int c, int h, int w) {
    if (format != 0 || type != 0) return 3;   // NCHW float only (CUDNN_STATUS_BAD_PARAM)
    *d = {n, c, h, w}; return 0;
}
int cudnnDestroyTensorDescriptor(tensor4 *d) { delete d; return 0; }
int cudnnCreateFilterDescriptor(tensor4 **d) { *d = new tensor4(); return 0; }
int cudnnSetFilter4dDescriptor(tensor4 *d, int type, int format, int k, int c, int h, int w) {
    if (format != 0 || type != 0) return 3;
    *d = {k, c, h, w}; return 0;
}
int cudnnDestroyFilterDescriptor(tensor4 *d) { delete d; return 0; }
int cudnnCreateConvolutionDescriptor(convolution **d) { *d = new convolution(); return 0; }
int cudnnSetConvolution2dDescriptor(convolution *d, int padH, int padW, int strideH, int strideW, int dilH, int dilW, int mode, int type) {
    if (dilH != 1 || dilW != 1 || mode != 1 || type != 0) return 3;
    *d = {padH, padW, strideH, strideW}; return 0;
}
int cudnnSetConvolutionMathType(convolution *, int) { return 0; }
int cudnnDestroyConvolutionDescriptor(convolution *d) { delete d; return 0; }
int cudnnCreateActivationDescriptor(activation **d) { *d = new activation(); return 0; }
int cudnnSetActivationDescriptor(activation *d, int mode, int, double) { d->mode = mode; return 0; }
int cudnnDestroyActivationDescriptor(activation *d) { delete d; return 0; }

static int found(int *returned, perf *r) { *returned = 1; std::memset(r, 0, sizeof *r); r->time = 1; return 0; }
int cudnnFindConvolutionForwardAlgorithmEx(void *, tensor4 *, const void *, tensor4 *, const void *, convolution *, tensor4 *, void *,
                                           int, int *returned, perf *r, void *, size_t) { return found(returned, r); }
int cudnnFindConvolutionBackwardDataAlgorithmEx(void *, tensor4 *, const void *, tensor4 *, const void *, convolution *, tensor4 *, void *,
                                                int, int *returned, perf *r, void *, size_t) { return found(returned, r); }
int cudnnFindConvolutionBackwardFilterAlgorithmEx(void *, tensor4 *, const void *, tensor4 *, const void *, convolution *, tensor4 *, void *,
                                                  int, int *returned, perf *r, void *, size_t) { return found(returned, r); }
int cudnnGetConvolutionForwardWorkspaceSize(void *, tensor4 *, tensor4 *, convolution *, tensor4 *, int, size_t *b) { *b = 0; return 0; }
int cudnnGetConvolutionBackwardDataWorkspaceSize(void *, tensor4 *, tensor4 *, convolution *, tensor4 *, int, size_t *b) { *b = 0; return 0; }
int cudnnGetConvolutionBackwardFilterWorkspaceSize(void *, tensor4 *, tensor4 *, convolution *, tensor4 *, int, size_t *b) { *b = 0; return 0; }

int cudnnConvolutionForward(void *, const float *alpha, tensor4 *xd, const float *x, tensor4 *wd, const float *w, convolution *cv, int,
                            void *, size_t, const float *beta, tensor4 *yd, float *y) {
    if (xd->c != wd->c || yd->c != wd->n || xd->n != yd->n) return 3;
    forward(*xd, x, *wd, w, *cv, *yd, y, *alpha, *beta);
    return 0;
}

// relu(alpha1 * conv(x, w) + alpha2 * z + bias) (identity: no ReLU).
int cudnnConvolutionBiasActivationForward(void *, const float *alpha1, tensor4 *xd, const float *x, tensor4 *wd, const float *w,
                                          convolution *cv, int, void *, size_t, const float *alpha2, tensor4 *zd, const float *z,
                                          tensor4 *bd, const float *bias, activation *act, tensor4 *yd, float *y) {
    if (xd->c != wd->c || yd->c != wd->n || bd->c != yd->c) return 3;
    // As real cuDNN does for some algorithms: refuse the fused epilogue (tests the backend's fallback).
    if (std::getenv("UNET_EMULATOR_REFUSE_FUSION")) return 9;   // CUDNN_STATUS_NOT_SUPPORTED
    long count = (long)yd->n * yd->c * yd->h * yd->w;
    std::vector<float> zcopy(z, z + count);   // z may be y itself
    forward(*xd, x, *wd, w, *cv, *yd, y, *alpha1, 0);
    for (long i = 0; i < count; i++) {
        int c = (int)((i / ((long)yd->h * yd->w)) % yd->c);
        float v = y[i] + *alpha2 * zcopy[i] + bias[c];
        y[i] = act->mode == 1 ? (v > 0 ? v : 0) : v;
    }
    return 0;
}

// dx = conv's input gradient: the transposed convolution of dy with w.
int cudnnConvolutionBackwardData(void *, const float *alpha, tensor4 *wd, const float *w, tensor4 *dyd, const float *dy, convolution *cv, int,
                                 void *, size_t, const float *beta, tensor4 *dxd, float *dx) {
    if (dxd->c != wd->c || dyd->c != wd->n || dxd->n != dyd->n) return 3;
    long count = (long)dxd->n * dxd->c * dxd->h * dxd->w;
    std::vector<double> acc(count, 0.0);
    for (int n = 0; n < dyd->n; n++) for (int k = 0; k < dyd->c; k++) for (int i = 0; i < dyd->h; i++) for (int j = 0; j < dyd->w; j++) {
        double g = dy[at(*dyd, n, k, i, j)];
        for (int c = 0; c < wd->c; c++) for (int a = 0; a < wd->h; a++) for (int b = 0; b < wd->w; b++) {
            int h = i * cv->strideH + a - cv->padH, q = j * cv->strideW + b - cv->padW;
            if (h < 0 || h >= dxd->h || q < 0 || q >= dxd->w) continue;
            acc[at(*dxd, n, c, h, q)] += g * (double)w[at(*wd, k, c, a, b)];
        }
    }
    for (long i = 0; i < count; i++) dx[i] = (float)(*alpha * acc[i] + (*beta != 0 ? *beta * (double)dx[i] : 0.0));
    return 0;
}

int cudnnConvolutionBackwardFilter(void *, const float *alpha, tensor4 *xd, const float *x, tensor4 *dyd, const float *dy, convolution *cv, int,
                                   void *, size_t, const float *beta, tensor4 *dwd, float *dw) {
    if (xd->c != dwd->c || dyd->c != dwd->n || xd->n != dyd->n) return 3;
    for (int k = 0; k < dwd->n; k++) for (int c = 0; c < dwd->c; c++) for (int a = 0; a < dwd->h; a++) for (int b = 0; b < dwd->w; b++) {
        double s = 0;
        for (int n = 0; n < dyd->n; n++) for (int i = 0; i < dyd->h; i++) for (int j = 0; j < dyd->w; j++) {
            int h = i * cv->strideH + a - cv->padH, q = j * cv->strideW + b - cv->padW;
            if (h < 0 || h >= xd->h || q < 0 || q >= xd->w) continue;
            s += (double)x[at(*xd, n, c, h, q)] * (double)dy[at(*dyd, n, k, i, j)];
        }
        float &out = dw[at(*dwd, k, c, a, b)];
        out = (float)(*alpha * s + (*beta != 0 ? *beta * (double)out : 0.0));
    }
    return 0;
}

int cudnnConvolutionBackwardBias(void *, const float *alpha, tensor4 *dyd, const float *dy, const float *beta, tensor4 *dbd, float *db) {
    if (dbd->c != dyd->c || dbd->n != 1 || dbd->h != 1 || dbd->w != 1) return 3;
    for (int c = 0; c < dyd->c; c++) {
        double s = 0;
        for (int n = 0; n < dyd->n; n++) for (int i = 0; i < dyd->h * dyd->w; i++) s += dy[((long)n * dyd->c + c) * dyd->h * dyd->w + i];
        db[c] = (float)(*alpha * s + (*beta != 0 ? *beta * (double)db[c] : 0.0));
    }
    return 0;
}

// c = alpha * a + beta * c, a broadcast from [1, C, 1, 1].
int cudnnAddTensor(void *, const float *alpha, tensor4 *ad, const float *a, const float *beta, tensor4 *cd, float *c) {
    if (ad->n != 1 || ad->h != 1 || ad->w != 1 || ad->c != cd->c) return 3;
    long plane = (long)cd->h * cd->w;
    for (int n = 0; n < cd->n; n++) for (int ch = 0; ch < cd->c; ch++) for (long i = 0; i < plane; i++) {
        float &out = c[((long)n * cd->c + ch) * plane + i];
        out = *alpha * a[ch] + *beta * out;
    }
    return 0;
}

// Declared by the backend's loader but not called by it: present so that binding succeeds.
int cudnnSetTensor4dDescriptorEx() { return 9; }
int cudnnCreatePoolingDescriptor(void **d) { *d = &token; return 0; }
int cudnnSetPooling2dDescriptor() { return 9; }
int cudnnDestroyPoolingDescriptor(void *) { return 0; }
int cudnnPoolingForward() { return 9; }
int cudnnPoolingBackward() { return 9; }
int cudnnBatchNormalizationForwardTraining() { return 9; }
int cudnnBatchNormalizationForwardInference() { return 9; }
int cudnnBatchNormalizationBackward() { return 9; }
}
