// The NVIDIA libraries the CUDA backend uses, loaded at run time with dlopen: the driver API
// (libcuda.so.1), NVRTC (libnvrtc.so.*) and cuDNN 9 (libcudnn.so.9). No CUDA header or library
// is needed to build; the few types and prototypes used are declared here, with the ABI of the
// documented C APIs (CUDA 12/13 driver API, NVRTC 12/13, cuDNN 9 legacy API).
#ifndef UNET_CUDA_LOADER_H
#define UNET_CUDA_LOADER_H

#include <stddef.h>

// ---- Driver API types (cuda.h) ----
typedef int CUresult;                       // CUDA_SUCCESS = 0
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;     // 64-bit device address
typedef struct CUctx_st *CUcontext;
typedef struct CUstream_st *CUstream;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUevent_st *CUevent;

enum {
    UNET_CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
    UNET_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
    UNET_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
    UNET_CU_STREAM_NON_BLOCKING = 1,
    UNET_CU_EVENT_DISABLE_TIMING = 2,
    UNET_CUDA_ERROR_NOT_READY = 600,
};

// X-lists of exactly the functions the backend calls: each is required (loading fails, naming
// it, when the library lacks it), so nothing unused is bound.
#define UNET_CUDA_DRIVER_FUNCTIONS(X) \
    X(CUresult, cuInit, (unsigned int flags)) \
    X(CUresult, cuDriverGetVersion, (int *version)) \
    X(CUresult, cuGetErrorName, (CUresult error, const char **name)) \
    X(CUresult, cuGetErrorString, (CUresult error, const char **text)) \
    X(CUresult, cuDeviceGetCount, (int *count)) \
    X(CUresult, cuDeviceGet, (CUdevice *device, int ordinal)) \
    X(CUresult, cuDeviceGetName, (char *name, int length, CUdevice device)) \
    X(CUresult, cuDeviceTotalMem_v2, (size_t *bytes, CUdevice device)) \
    X(CUresult, cuDeviceGetAttribute, (int *value, int attribute, CUdevice device)) \
    X(CUresult, cuDevicePrimaryCtxRetain, (CUcontext *context, CUdevice device)) \
    X(CUresult, cuDevicePrimaryCtxRelease_v2, (CUdevice device)) \
    X(CUresult, cuCtxSetCurrent, (CUcontext context)) \
    X(CUresult, cuMemGetInfo_v2, (size_t *free, size_t *total)) \
    X(CUresult, cuMemAlloc_v2, (CUdeviceptr *address, size_t bytes)) \
    X(CUresult, cuMemFree_v2, (CUdeviceptr address)) \
    X(CUresult, cuMemAllocHost_v2, (void **address, size_t bytes)) \
    X(CUresult, cuMemFreeHost, (void *address)) \
    X(CUresult, cuEventCreate, (CUevent *event, unsigned int flags)) \
    X(CUresult, cuEventRecord, (CUevent event, CUstream stream)) \
    X(CUresult, cuEventQuery, (CUevent event)) \
    X(CUresult, cuEventDestroy_v2, (CUevent event)) \
    X(CUresult, cuMemcpyHtoDAsync_v2, (CUdeviceptr to, const void *from, size_t bytes, CUstream stream)) \
    X(CUresult, cuMemcpyDtoHAsync_v2, (void *to, CUdeviceptr from, size_t bytes, CUstream stream)) \
    X(CUresult, cuMemcpyDtoDAsync_v2, (CUdeviceptr to, CUdeviceptr from, size_t bytes, CUstream stream)) \
    X(CUresult, cuMemsetD8Async, (CUdeviceptr to, unsigned char value, size_t count, CUstream stream)) \
    X(CUresult, cuStreamCreate, (CUstream *stream, unsigned int flags)) \
    X(CUresult, cuStreamSynchronize, (CUstream stream)) \
    X(CUresult, cuModuleLoadData, (CUmodule *module, const void *image)) \
    X(CUresult, cuModuleGetFunction, (CUfunction *function, CUmodule module, const char *name)) \
    X(CUresult, cuLaunchKernel, (CUfunction f, unsigned int gridX, unsigned int gridY, unsigned int gridZ, \
                                 unsigned int blockX, unsigned int blockY, unsigned int blockZ, \
                                 unsigned int sharedBytes, CUstream stream, void **parameters, void **extra))

// ---- NVRTC (nvrtc.h) ----
typedef int nvrtcResult;                    // NVRTC_SUCCESS = 0
typedef struct _nvrtcProgram *nvrtcProgram;

#define UNET_NVRTC_FUNCTIONS(X) \
    X(nvrtcResult, nvrtcVersion, (int *major, int *minor)) \
    X(const char *, nvrtcGetErrorString, (nvrtcResult result)) \
    X(nvrtcResult, nvrtcCreateProgram, (nvrtcProgram *program, const char *source, const char *name, int headerCount, \
                                        const char *const *headers, const char *const *includeNames)) \
    X(nvrtcResult, nvrtcCompileProgram, (nvrtcProgram program, int optionCount, const char *const *options)) \
    X(nvrtcResult, nvrtcGetPTXSize, (nvrtcProgram program, size_t *bytes)) \
    X(nvrtcResult, nvrtcGetPTX, (nvrtcProgram program, char *ptx)) \
    X(nvrtcResult, nvrtcGetCUBINSize, (nvrtcProgram program, size_t *bytes)) \
    X(nvrtcResult, nvrtcGetCUBIN, (nvrtcProgram program, char *cubin)) \
    X(nvrtcResult, nvrtcGetProgramLogSize, (nvrtcProgram program, size_t *bytes)) \
    X(nvrtcResult, nvrtcGetProgramLog, (nvrtcProgram program, char *log)) \
    X(nvrtcResult, nvrtcDestroyProgram, (nvrtcProgram *program))

// ---- cuDNN 9, legacy (imperative) API (cudnn_graph.h, cudnn_ops.h, cudnn_cnn.h) ----
typedef int cudnnStatus_t;                  // CUDNN_STATUS_SUCCESS = 0
typedef struct cudnnContext *cudnnHandle_t;
typedef struct cudnnTensorStruct *cudnnTensorDescriptor_t;
typedef struct cudnnFilterStruct *cudnnFilterDescriptor_t;
typedef struct cudnnConvolutionStruct *cudnnConvolutionDescriptor_t;
typedef struct cudnnActivationStruct *cudnnActivationDescriptor_t;

enum {
    UNET_CUDNN_DATA_FLOAT = 0, UNET_CUDNN_DATA_BFLOAT16 = 9,
    UNET_CUDNN_TENSOR_NCHW = 0, UNET_CUDNN_TENSOR_NHWC = 1,
    UNET_CUDNN_CROSS_CORRELATION = 1,
    UNET_CUDNN_DEFAULT_MATH = 0, UNET_CUDNN_TENSOR_OP_MATH = 1, UNET_CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2, UNET_CUDNN_FMA_MATH = 3,
    UNET_CUDNN_ACTIVATION_RELU = 1, UNET_CUDNN_ACTIVATION_IDENTITY = 5,
    UNET_CUDNN_NOT_PROPAGATE_NAN = 0, UNET_CUDNN_PROPAGATE_NAN = 1,
};

// cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t share this layout.
typedef struct {
    int algo;
    cudnnStatus_t status;
    float time;
    size_t memory;
    int determinism;
    int mathType;
    int reserved[3];
} unet_cudnn_algo_perf;

#define UNET_CUDNN_FUNCTIONS(X) \
    X(size_t, cudnnGetVersion, (void)) \
    X(const char *, cudnnGetErrorString, (cudnnStatus_t status)) \
    X(cudnnStatus_t, cudnnCreate, (cudnnHandle_t *handle)) \
    X(cudnnStatus_t, cudnnSetStream, (cudnnHandle_t handle, CUstream stream)) \
    X(cudnnStatus_t, cudnnCreateTensorDescriptor, (cudnnTensorDescriptor_t *d)) \
    X(cudnnStatus_t, cudnnSetTensor4dDescriptor, (cudnnTensorDescriptor_t d, int format, int dataType, int n, int c, int h, int w)) \
    X(cudnnStatus_t, cudnnCreateFilterDescriptor, (cudnnFilterDescriptor_t *d)) \
    X(cudnnStatus_t, cudnnSetFilter4dDescriptor, (cudnnFilterDescriptor_t d, int dataType, int format, int k, int c, int h, int w)) \
    X(cudnnStatus_t, cudnnCreateConvolutionDescriptor, (cudnnConvolutionDescriptor_t *d)) \
    X(cudnnStatus_t, cudnnSetConvolution2dDescriptor, (cudnnConvolutionDescriptor_t d, int padH, int padW, int strideH, int strideW, \
                                                       int dilationH, int dilationW, int mode, int computeType)) \
    X(cudnnStatus_t, cudnnSetConvolutionMathType, (cudnnConvolutionDescriptor_t d, int mathType)) \
    X(cudnnStatus_t, cudnnFindConvolutionForwardAlgorithmEx, (cudnnHandle_t h, cudnnTensorDescriptor_t x, const void *xData, \
        cudnnFilterDescriptor_t w, const void *wData, cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t y, void *yData, \
        int requested, int *returned, unet_cudnn_algo_perf *results, void *workspace, size_t workspaceBytes)) \
    X(cudnnStatus_t, cudnnFindConvolutionBackwardDataAlgorithmEx, (cudnnHandle_t h, cudnnFilterDescriptor_t w, const void *wData, \
        cudnnTensorDescriptor_t dy, const void *dyData, cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t dx, void *dxData, \
        int requested, int *returned, unet_cudnn_algo_perf *results, void *workspace, size_t workspaceBytes)) \
    X(cudnnStatus_t, cudnnFindConvolutionBackwardFilterAlgorithmEx, (cudnnHandle_t h, cudnnTensorDescriptor_t x, const void *xData, \
        cudnnTensorDescriptor_t dy, const void *dyData, cudnnConvolutionDescriptor_t conv, cudnnFilterDescriptor_t dw, void *dwData, \
        int requested, int *returned, unet_cudnn_algo_perf *results, void *workspace, size_t workspaceBytes)) \
    X(cudnnStatus_t, cudnnConvolutionForward, (cudnnHandle_t h, const void *alpha, cudnnTensorDescriptor_t x, const void *xData, \
        cudnnFilterDescriptor_t w, const void *wData, cudnnConvolutionDescriptor_t conv, int algo, void *workspace, size_t workspaceBytes, \
        const void *beta, cudnnTensorDescriptor_t y, void *yData)) \
    X(cudnnStatus_t, cudnnConvolutionBiasActivationForward, (cudnnHandle_t h, const void *alpha1, cudnnTensorDescriptor_t x, const void *xData, \
        cudnnFilterDescriptor_t w, const void *wData, cudnnConvolutionDescriptor_t conv, int algo, void *workspace, size_t workspaceBytes, \
        const void *alpha2, cudnnTensorDescriptor_t z, const void *zData, cudnnTensorDescriptor_t bias, const void *biasData, \
        cudnnActivationDescriptor_t activation, cudnnTensorDescriptor_t y, void *yData)) \
    X(cudnnStatus_t, cudnnConvolutionBackwardData, (cudnnHandle_t h, const void *alpha, cudnnFilterDescriptor_t w, const void *wData, \
        cudnnTensorDescriptor_t dy, const void *dyData, cudnnConvolutionDescriptor_t conv, int algo, void *workspace, size_t workspaceBytes, \
        const void *beta, cudnnTensorDescriptor_t dx, void *dxData)) \
    X(cudnnStatus_t, cudnnConvolutionBackwardFilter, (cudnnHandle_t h, const void *alpha, cudnnTensorDescriptor_t x, const void *xData, \
        cudnnTensorDescriptor_t dy, const void *dyData, cudnnConvolutionDescriptor_t conv, int algo, void *workspace, size_t workspaceBytes, \
        const void *beta, cudnnFilterDescriptor_t dw, void *dwData)) \
    X(cudnnStatus_t, cudnnConvolutionBackwardBias, (cudnnHandle_t h, const void *alpha, cudnnTensorDescriptor_t dy, const void *dyData, \
        const void *beta, cudnnTensorDescriptor_t db, void *dbData)) \
    X(cudnnStatus_t, cudnnAddTensor, (cudnnHandle_t h, const void *alpha, cudnnTensorDescriptor_t a, const void *aData, \
        const void *beta, cudnnTensorDescriptor_t c, void *cData)) \
    X(cudnnStatus_t, cudnnCreateActivationDescriptor, (cudnnActivationDescriptor_t *d)) \
    X(cudnnStatus_t, cudnnSetActivationDescriptor, (cudnnActivationDescriptor_t d, int mode, int nanPropagation, double coefficient)) \
    X(cudnnStatus_t, cudnnDestroyActivationDescriptor, (cudnnActivationDescriptor_t d))

#define UNET_DECLARE_POINTER(ret, name, params) ret (*name) params;

/// The driver API, bound from libcuda.so.1.
typedef struct { UNET_CUDA_DRIVER_FUNCTIONS(UNET_DECLARE_POINTER) } unet_cuda_driver;
/// NVRTC, bound from libnvrtc.so.
typedef struct { UNET_NVRTC_FUNCTIONS(UNET_DECLARE_POINTER) } unet_nvrtc;
/// cuDNN 9's legacy API, bound from libcudnn.so.9.
typedef struct { UNET_CUDNN_FUNCTIONS(UNET_DECLARE_POINTER) } unet_cudnn;

/// dlopen(path, RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL)); on failure NULL, with
/// dlerror()'s text copied into `error` (at most `size` bytes, NUL-terminated).
void *unet_dl_open(const char *path, int global, char *error, size_t size);
/// dlclose.
void unet_dl_close(void *handle);

/// Fill a table from an opened library. Return 0, or -1 with `*missing` set to the first
/// symbol the library lacks (the table is then unusable).
int unet_bind_cuda_driver(void *handle, unet_cuda_driver *table, const char **missing);
int unet_bind_nvrtc(void *handle, unet_nvrtc *table, const char **missing);
int unet_bind_cudnn(void *handle, unet_cudnn *table, const char **missing);

#endif
