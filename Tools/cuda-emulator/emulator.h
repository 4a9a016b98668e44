// Host definitions that let the backend's CUDA C kernels compile as C++ and run on the CPU, for
// the CUDA emulator of the tests (Tests/CUDABackendTests/CUDAEmulatorTests.swift): each launch
// runs its blocks one after another with one thread each (UNET_BLOCK 1), which the kernels'
// grid-stride loops and block reductions allow.
#pragma once
#include <cmath>
#include <cstring>
#include <algorithm>

#define UNET_BLOCK 1
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __syncthreads() ((void)0)

struct unet_dim3 { unsigned x, y, z; };
extern unet_dim3 blockIdx, threadIdx, blockDim, gridDim;

using std::min;
using std::max;
using std::isfinite;
inline unsigned int __float_as_uint(float f) { unsigned int u; std::memcpy(&u, &f, 4); return u; }
inline float __uint_as_float(unsigned int u) { float f; std::memcpy(&f, &u, 4); return f; }
inline unsigned long long atomicAdd(unsigned long long *p, unsigned long long v) { unsigned long long old = *p; *p += v; return old; }

// One kernel of the registry: its name and a launcher that unpacks cuLaunchKernel's parameters.
struct unet_kernel { const char *name; void (*launch)(void **parameters); };
extern "C" const unet_kernel unet_kernels[];
extern "C" const int unet_kernel_count;
