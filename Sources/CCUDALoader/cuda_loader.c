// Binds the function tables of cuda_loader.h with dlopen/dlsym. Nothing here calls into an
// NVIDIA library: the Swift side calls through the tables it got.
#include "cuda_loader.h"

#include <dlfcn.h>
#include <string.h>

void *unet_dl_open(const char *path, int global, char *error, size_t size) {
    dlerror();
    void *handle = dlopen(path, RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL));
    if (!handle && error && size > 0) {
        const char *message = dlerror();
        strncpy(error, message ? message : "dlopen failed", size - 1);
        error[size - 1] = 0;
    }
    return handle;
}

void unet_dl_close(void *handle) {
    if (handle) dlclose(handle);
}

// One symbol: look it up, store it, stop at the first one missing.
#define UNET_BIND_ONE(ret, name, params) \
    table->name = (ret (*) params)dlsym(handle, #name); \
    if (!table->name) { *missing = #name; memset(table, 0, sizeof *table); return -1; }

int unet_bind_cuda_driver(void *handle, unet_cuda_driver *table, const char **missing) {
    UNET_CUDA_DRIVER_FUNCTIONS(UNET_BIND_ONE)
    return 0;
}

int unet_bind_nvrtc(void *handle, unet_nvrtc *table, const char **missing) {
    UNET_NVRTC_FUNCTIONS(UNET_BIND_ONE)
    return 0;
}

int unet_bind_cudnn(void *handle, unet_cudnn *table, const char **missing) {
    UNET_CUDNN_FUNCTIONS(UNET_BIND_ONE)
    return 0;
}
