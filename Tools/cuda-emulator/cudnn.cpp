// cuDNN 9's legacy API as the CUDA backend calls it, on the CPU, for the tests' emulator: NCHW or
// NHWC (CUDNN_TENSOR_NHWC) float or bfloat16 tensors, KCRS or KRSC filters, cross-correlation with padding and stride (dilation 1), sums in
// double. It states cuDNN's documented semantics in plain loops: forward, backward-data,
// backward-filter, backward-bias, add-tensor (bias broadcast) and the fused
// convolution-bias-activation. Precision as a GPU's tensor cores have it: bfloat16 data
// (CUDNN_DATA_BFLOAT16) is read exactly and written rounded to bfloat16 (nearest, ties to even);
// float data under a math type that allows tensor cores (anything but CUDNN_FMA_MATH) has its
// convolution inputs rounded to TF32, so a backend that forgets to ask for strict float32 fails
// the float32 tolerances.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <vector>

enum { DATA_FLOAT = 0, DATA_BFLOAT16 = 9, FMA_MATH = 3, FORMAT_NCHW = 0, FORMAT_NHWC = 1 };
struct tensor4 { int n, c, h, w; int type; int format; };
struct convolution { int padH, padW, strideH, strideW; int math; };
struct activation { int mode; };
struct perf { int algo; int status; float time; size_t memory; int determinism; int mathType; int reserved[3]; };
static int token;

static long at(const tensor4 &t, int n, int c, int h, int w) {
    return t.format == FORMAT_NHWC ? (((long)n * t.h + h) * t.w + w) * t.c + c : (((long)n * t.c + c) * t.h + h) * t.w + w;
}

static uint32_t bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
static float from_bits(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
static uint16_t to_bf16(float f) {
    uint32_t b = bits(f);
    if (f != f) return (uint16_t)((b >> 16) | 0x40);
    return (uint16_t)((b + 0x7FFF + ((b >> 16) & 1)) >> 16);
}
static float tf32(float f) {
    if (!std::isfinite(f)) return f;
    uint32_t b = bits(f);
    return from_bits((b + 0xFFF + ((b >> 13) & 1)) & ~0x1FFFu);
}

// One convolution operand or result: element i of a float or bfloat16 buffer, read as the tensor
// cores would (TF32-rounded when `tf32`), written rounded to its type.
struct operand {
    const tensor4 &d; void *p; bool tf32;
    double get(long i) const {
        if (d.type == DATA_BFLOAT16) return from_bits((uint32_t)((const uint16_t *)p)[i] << 16);
        float v = ((const float *)p)[i];
        return tf32 ? ::tf32(v) : v;
    }
    void set(long i, double v) const {
        if (d.type == DATA_BFLOAT16) ((uint16_t *)p)[i] = to_bf16((float)v); else ((float *)p)[i] = (float)v;
    }
};
static bool tensorCores(const convolution &cv, const tensor4 &x) { return x.type == DATA_FLOAT && cv.math != FMA_MATH; }
static bool sameType(const tensor4 &a, const tensor4 &b, const tensor4 &c) { return a.type == b.type && b.type == c.type; }

// y = alpha * conv(x, w) + beta * y (y's old value only read when beta != 0).
static void forward(const operand &x, const operand &w, const convolution &cv, const operand &y, float alpha, float beta) {
    const tensor4 &xd = x.d, &wd = w.d, &yd = y.d;
    for (int n = 0; n < yd.n; n++) for (int k = 0; k < yd.c; k++) for (int i = 0; i < yd.h; i++) for (int j = 0; j < yd.w; j++) {
        double s = 0;
        for (int c = 0; c < xd.c; c++) for (int a = 0; a < wd.h; a++) for (int b = 0; b < wd.w; b++) {
            int h = i * cv.strideH + a - cv.padH, q = j * cv.strideW + b - cv.padW;
            if (h < 0 || h >= xd.h || q < 0 || q >= xd.w) continue;
            s += x.get(at(xd, n, c, h, q)) * w.get(at(wd, k, c, a, b));
        }
        long o = at(yd, n, k, i, j);
        y.set(o, alpha * s + (beta != 0 ? beta * y.get(o) : 0.0));
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
    if ((format != FORMAT_NCHW && format != FORMAT_NHWC) || (type != DATA_FLOAT && type != DATA_BFLOAT16)) return 3;   // else CUDNN_STATUS_BAD_PARAM
    *d = {n, c, h, w, type, format}; return 0;
}
int cudnnDestroyTensorDescriptor(tensor4 *d) { delete d; return 0; }
int cudnnCreateFilterDescriptor(tensor4 **d) { *d = new tensor4(); return 0; }
int cudnnSetFilter4dDescriptor(tensor4 *d, int type, int format, int k, int c, int h, int w) {
    if ((format != FORMAT_NCHW && format != FORMAT_NHWC) || (type != DATA_FLOAT && type != DATA_BFLOAT16)) return 3;
    *d = {k, c, h, w, type, format}; return 0;   // KCRS or KRSC
}
int cudnnDestroyFilterDescriptor(tensor4 *d) { delete d; return 0; }
// A new descriptor's math type is cuDNN's default (0, tensor cores allowed).
int cudnnCreateConvolutionDescriptor(convolution **d) { *d = new convolution(); return 0; }
int cudnnSetConvolution2dDescriptor(convolution *d, int padH, int padW, int strideH, int strideW, int dilH, int dilW, int mode, int type) {
    if (dilH != 1 || dilW != 1 || mode != 1 || type != DATA_FLOAT) return 3;   // float32 compute (bf16 data sums in float32)
    *d = {padH, padW, strideH, strideW, d->math}; return 0;
}
int cudnnSetConvolutionMathType(convolution *d, int math) {
    if (math < 0 || math > FMA_MATH) return 3;
    d->math = math; return 0;
}
int cudnnDestroyConvolutionDescriptor(convolution *d) { delete d; return 0; }
int cudnnCreateActivationDescriptor(activation **d) { *d = new activation(); return 0; }
int cudnnSetActivationDescriptor(activation *d, int mode, int, double) { d->mode = mode; return 0; }
int cudnnDestroyActivationDescriptor(activation *d) { delete d; return 0; }

// One algorithm, with the descriptor's math type (as cuDNN reports each algorithm's math).
static int found(const tensor4 *a, const tensor4 *b, const tensor4 *c, const convolution *cv, int *returned, perf *r) {
    if (!sameType(*a, *b, *c)) return 3;
    *returned = 1; std::memset(r, 0, sizeof *r); r->time = 1; r->mathType = cv->math; return 0;
}
int cudnnFindConvolutionForwardAlgorithmEx(void *, tensor4 *x, const void *, tensor4 *w, const void *, convolution *cv, tensor4 *y, void *,
                                           int, int *returned, perf *r, void *, size_t) { return found(x, w, y, cv, returned, r); }
int cudnnFindConvolutionBackwardDataAlgorithmEx(void *, tensor4 *w, const void *, tensor4 *dy, const void *, convolution *cv, tensor4 *dx, void *,
                                                int, int *returned, perf *r, void *, size_t) { return found(w, dy, dx, cv, returned, r); }
int cudnnFindConvolutionBackwardFilterAlgorithmEx(void *, tensor4 *x, const void *, tensor4 *dy, const void *, convolution *cv, tensor4 *dw, void *,
                                                  int, int *returned, perf *r, void *, size_t) { return found(x, dy, dw, cv, returned, r); }
int cudnnGetConvolutionForwardWorkspaceSize(void *, tensor4 *, tensor4 *, convolution *, tensor4 *, int, size_t *b) { *b = 0; return 0; }
int cudnnGetConvolutionBackwardDataWorkspaceSize(void *, tensor4 *, tensor4 *, convolution *, tensor4 *, int, size_t *b) { *b = 0; return 0; }
int cudnnGetConvolutionBackwardFilterWorkspaceSize(void *, tensor4 *, tensor4 *, convolution *, tensor4 *, int, size_t *b) { *b = 0; return 0; }

int cudnnConvolutionForward(void *, const float *alpha, tensor4 *xd, const void *x, tensor4 *wd, const void *w, convolution *cv, int,
                            void *, size_t, const float *beta, tensor4 *yd, void *y) {
    if (xd->c != wd->c || yd->c != wd->n || xd->n != yd->n || !sameType(*xd, *wd, *yd)) return 3;
    bool t = tensorCores(*cv, *xd);
    forward({*xd, (void *)x, t}, {*wd, (void *)w, t}, *cv, {*yd, y, false}, *alpha, *beta);
    return 0;
}

// relu(alpha1 * conv(x, w) + alpha2 * z + bias) (identity: no ReLU).
int cudnnConvolutionBiasActivationForward(void *, const float *alpha1, tensor4 *xd, const float *x, tensor4 *wd, const float *w,
                                          convolution *cv, int, void *, size_t, const float *alpha2, tensor4 *zd, const float *z,
                                          tensor4 *bd, const float *bias, activation *act, tensor4 *yd, float *y) {
    if (xd->c != wd->c || yd->c != wd->n || bd->c != yd->c) return 3;
    if (xd->type != DATA_FLOAT || wd->type != DATA_FLOAT || yd->type != DATA_FLOAT || zd->type != DATA_FLOAT || bd->type != DATA_FLOAT) return 3;
    // As real cuDNN does for some algorithms: refuse the fused epilogue (tests the backend's fallback).
    if (std::getenv("UNET_EMULATOR_REFUSE_FUSION")) return 9;   // CUDNN_STATUS_NOT_SUPPORTED
    if (zd->format != yd->format) return 3;
    long count = (long)yd->n * yd->c * yd->h * yd->w;
    std::vector<float> zcopy(z, z + count);   // z may be y itself
    bool t = tensorCores(*cv, *xd);
    forward({*xd, (void *)x, t}, {*wd, (void *)w, t}, *cv, {*yd, y, false}, *alpha1, 0);
    for (int n = 0; n < yd->n; n++) for (int c = 0; c < yd->c; c++) for (int h = 0; h < yd->h; h++) for (int q = 0; q < yd->w; q++) {
        long i = at(*yd, n, c, h, q);
        float v = y[i] + *alpha2 * zcopy[i] + bias[c];
        y[i] = act->mode == 1 ? (v > 0 ? v : 0) : v;
    }
    return 0;
}

// dx = conv's input gradient: the transposed convolution of dy with w.
int cudnnConvolutionBackwardData(void *, const float *alpha, tensor4 *wd, const void *wp, tensor4 *dyd, const void *dyp, convolution *cv, int,
                                 void *, size_t, const float *beta, tensor4 *dxd, void *dxp) {
    if (dxd->c != wd->c || dyd->c != wd->n || dxd->n != dyd->n || !sameType(*wd, *dyd, *dxd)) return 3;
    bool t = tensorCores(*cv, *dyd);
    operand w{*wd, (void *)wp, t}, dy{*dyd, (void *)dyp, t}, dx{*dxd, dxp, false};
    long count = (long)dxd->n * dxd->c * dxd->h * dxd->w;
    std::vector<double> acc(count, 0.0);
    for (int n = 0; n < dyd->n; n++) for (int k = 0; k < dyd->c; k++) for (int i = 0; i < dyd->h; i++) for (int j = 0; j < dyd->w; j++) {
        double g = dy.get(at(*dyd, n, k, i, j));
        for (int c = 0; c < wd->c; c++) for (int a = 0; a < wd->h; a++) for (int b = 0; b < wd->w; b++) {
            int h = i * cv->strideH + a - cv->padH, q = j * cv->strideW + b - cv->padW;
            if (h < 0 || h >= dxd->h || q < 0 || q >= dxd->w) continue;
            acc[at(*dxd, n, c, h, q)] += g * w.get(at(*wd, k, c, a, b));
        }
    }
    for (long i = 0; i < count; i++) dx.set(i, *alpha * acc[i] + (*beta != 0 ? *beta * dx.get(i) : 0.0));
    return 0;
}

int cudnnConvolutionBackwardFilter(void *, const float *alpha, tensor4 *xd, const void *xp, tensor4 *dyd, const void *dyp, convolution *cv, int,
                                   void *, size_t, const float *beta, tensor4 *dwd, void *dwp) {
    if (xd->c != dwd->c || dyd->c != dwd->n || xd->n != dyd->n || !sameType(*xd, *dyd, *dwd)) return 3;
    bool t = tensorCores(*cv, *xd);
    operand x{*xd, (void *)xp, t}, dy{*dyd, (void *)dyp, t}, dw{*dwd, dwp, false};
    for (int k = 0; k < dwd->n; k++) for (int c = 0; c < dwd->c; c++) for (int a = 0; a < dwd->h; a++) for (int b = 0; b < dwd->w; b++) {
        double s = 0;
        for (int n = 0; n < dyd->n; n++) for (int i = 0; i < dyd->h; i++) for (int j = 0; j < dyd->w; j++) {
            int h = i * cv->strideH + a - cv->padH, q = j * cv->strideW + b - cv->padW;
            if (h < 0 || h >= xd->h || q < 0 || q >= xd->w) continue;
            s += x.get(at(*xd, n, c, h, q)) * dy.get(at(*dyd, n, k, i, j));
        }
        long o = at(*dwd, k, c, a, b);
        dw.set(o, *alpha * s + (*beta != 0 ? *beta * dw.get(o) : 0.0));
    }
    return 0;
}

int cudnnConvolutionBackwardBias(void *, const float *alpha, tensor4 *dyd, const float *dy, const float *beta, tensor4 *dbd, float *db) {
    if (dbd->c != dyd->c || dbd->n != 1 || dbd->h != 1 || dbd->w != 1) return 3;
    if (dyd->type != DATA_FLOAT || dbd->type != DATA_FLOAT) return 3;
    for (int c = 0; c < dyd->c; c++) {
        double s = 0;
        for (int n = 0; n < dyd->n; n++) for (int h = 0; h < dyd->h; h++) for (int q = 0; q < dyd->w; q++) s += dy[at(*dyd, n, c, h, q)];
        db[c] = (float)(*alpha * s + (*beta != 0 ? *beta * (double)db[c] : 0.0));
    }
    return 0;
}

// c = alpha * a + beta * c, a broadcast from [1, C, 1, 1].
int cudnnAddTensor(void *, const float *alpha, tensor4 *ad, const float *a, const float *beta, tensor4 *cd, float *c) {
    if (ad->n != 1 || ad->h != 1 || ad->w != 1 || ad->c != cd->c) return 3;
    if (ad->type != DATA_FLOAT || cd->type != DATA_FLOAT) return 3;
    for (int n = 0; n < cd->n; n++) for (int ch = 0; ch < cd->c; ch++) for (int h = 0; h < cd->h; h++) for (int q = 0; q < cd->w; q++) {
        float &out = c[at(*cd, n, ch, h, q)];
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
