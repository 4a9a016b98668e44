// The CUDA driver API on the CPU, for the tests' emulator: device memory is host memory, the
// stream runs everything at once, and a launch runs the kernel's blocks one after another with
// one thread each (the kernels are compiled for the host from their CUDA C, see emulator.h).
#include "emulator.h"
#include <cstdlib>
#include <cstdio>

unet_dim3 blockIdx, threadIdx, blockDim, gridDim;
typedef unsigned long long u64;
static int token;

extern "C" {
int launches = 0;
int cuInit(unsigned) { return 0; }
int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
int cuGetErrorName(int, const char **s) { *s = "CUDA_ERROR_EMULATED"; return 0; }
int cuGetErrorString(int, const char **s) { *s = "emulated driver error"; return 0; }
int cuDeviceGetCount(int *n) { *n = 1; return 0; }
int cuDeviceGet(int *d, int o) { *d = o; return o == 0 ? 0 : 101; }
int cuDeviceGetName(char *n, int len, int) { std::strncpy(n, "CPU emulator", len); return 0; }
int cuDeviceTotalMem_v2(size_t *b, int) { *b = (size_t)8 << 30; return 0; }
int cuDeviceGetAttribute(int *v, int a, int) { *v = a == 75 ? 9 : a == 76 ? 0 : a == 16 ? 2 : 0; return 0; }
int cuDevicePrimaryCtxRetain(void **c, int) { *c = &token; return 0; }
int cuDevicePrimaryCtxRelease_v2(int) { return 0; }
int cuCtxSetCurrent(void *) { return 0; }
int cuCtxSynchronize() { return 0; }
int cuMemGetInfo_v2(size_t *f, size_t *t) { *f = (size_t)1 << 30; *t = (size_t)8 << 30; return 0; }
int cuMemAlloc_v2(u64 *p, size_t b) { void *m = std::calloc(1, b ? b : 1); *p = (u64)m; return m ? 0 : 2; }
int cuMemFree_v2(u64 p) { std::free((void *)p); return 0; }
int cuMemAllocHost_v2(void **p, size_t b) { *p = std::malloc(b ? b : 1); return *p ? 0 : 2; }
int cuMemFreeHost(void *p) { std::free(p); return 0; }
int cuMemcpyHtoDAsync_v2(u64 to, const void *from, size_t b, void *) { std::memcpy((void *)to, from, b); return 0; }
int cuMemcpyDtoHAsync_v2(void *to, u64 from, size_t b, void *) { std::memcpy(to, (void *)from, b); return 0; }
int cuMemcpyDtoDAsync_v2(u64 to, u64 from, size_t b, void *) { std::memmove((void *)to, (void *)from, b); return 0; }
int cuMemsetD8Async(u64 to, unsigned char v, size_t n, void *) { std::memset((void *)to, v, n); return 0; }
int cuMemsetD32Async(u64 to, unsigned int v, size_t n, void *) { for (size_t i = 0; i < n; i++) ((unsigned int *)to)[i] = v; return 0; }
int cuStreamCreate(void **s, unsigned) { *s = &token; return 0; }
int cuStreamDestroy_v2(void *) { return 0; }
int cuStreamSynchronize(void *) { return 0; }
int cuEventCreate(void **e, unsigned) { *e = &token; return 0; }
int cuEventRecord(void *, void *) { return 0; }
int cuEventSynchronize(void *) { return 0; }
int cuEventQuery(void *) { return 0; }   // the emulated stream has always finished
int cuEventElapsedTime(float *ms, void *, void *) { *ms = 0; return 0; }
int cuEventDestroy_v2(void *) { return 0; }
int cuModuleLoadData(void **m, const void *) { *m = &token; return 0; }
int cuModuleUnload(void *) { return 0; }
int cuModuleGetFunction(void **f, void *, const char *name) {
    for (int i = 0; i < unet_kernel_count; i++) {
        if (std::strcmp(unet_kernels[i].name, name) == 0) { *f = (void *)&unet_kernels[i]; return 0; }
    }
    std::fprintf(stderr, "emulator: no kernel %s\n", name);
    return 500;   // CUDA_ERROR_NOT_FOUND
}
int cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned, unsigned, unsigned, unsigned, void *,
                   void **parameters, void **) {
    const unet_kernel *k = (const unet_kernel *)f;
    launches++;
    gridDim = {gx, gy, gz};
    blockDim = {1, 1, 1};
    threadIdx = {0, 0, 0};
    for (unsigned z = 0; z < gz; z++)
        for (unsigned y = 0; y < gy; y++)
            for (unsigned x = 0; x < gx; x++) {
                blockIdx = {x, y, z};
                k->launch(parameters);
            }
    return 0;
}
}
